package dev.bulwark.retry;

/** Observes a {@link Retry}; callbacks run on the calling (or scheduler) thread and must be short. */
public interface RetryListener {

    /** Attempt {@code attempt} failed with {@code error}; the next starts after {@code delayNanos}. */
    default void onRetry(Retry retry, int attempt, Throwable error, long delayNanos) {
    }

    /** The call failed for good after {@code attempts} attempts. */
    default void onGiveUp(Retry retry, int attempts, Throwable error) {
    }
}
