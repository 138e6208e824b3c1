package dev.bulwark.retry;

/**
 * Observes a {@link Retry}. Each call ends in exactly one of: success at the first attempt
 * (announced to no one: it is the hot path), {@link #onSuccess} after retries, or
 * {@link #onGiveUp}; every retry between is announced by {@link #onRetry}. Callbacks run on the
 * calling thread (or, for asynchronous calls, the thread completing the attempt or the scheduler's),
 * must be short, and may not throw: what they throw is logged and ignored.
 */
public interface RetryListener {

    /**
     * Attempt {@code attempt} failed and attempt {@code attempt + 1} starts after {@code delayNanos}.
     *
     * @param error what the attempt threw, or {@code null} when it returned a result judged a failure
     */
    default void onRetry(Retry retry, int attempt, Throwable error, long delayNanos) {
    }

    /** The call succeeded at attempt {@code attempts}, after at least one retry ({@code attempts ≥ 2}). */
    default void onSuccess(Retry retry, int attempts) {
    }

    /**
     * The call failed for good after {@code attempts} attempts, for {@code reason}.
     *
     * @param error the last attempt's error, or {@code null} when it returned a result judged a
     *     failure (the call then returns that result)
     */
    default void onGiveUp(Retry retry, int attempts, Throwable error, GiveUpReason reason) {
    }
}
