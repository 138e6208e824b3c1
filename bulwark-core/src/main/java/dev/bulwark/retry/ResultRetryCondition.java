package dev.bulwark.retry;

/**
 * Decides whether an attempt that returned normally is retried anyway, from its result and its
 * number (a 202 "still processing", an empty page that should fill). See
 * {@link Retry.Builder#retryOnResult}.
 */
@FunctionalInterface
public interface ResultRetryCondition {

    /** Whether to retry after attempt {@code attempt} (1 for the first) returned {@code result}. */
    boolean shouldRetry(Object result, int attempt);
}
