package dev.bulwark.retry;

/**
 * Decides whether a failed attempt is retried, from its error and its number, as the reference
 * retry policies' {@code ShouldRetry(err, attempt)}. See {@link Retry.Builder#retryWhen}.
 */
@FunctionalInterface
public interface RetryCondition {

    /** Whether to retry after attempt {@code attempt} (1 for the first) failed with {@code error}. */
    boolean shouldRetry(Throwable error, int attempt);
}
