package dev.bulwark.retry;

/** Why a {@link Retry} stopped retrying a call that failed. */
public enum GiveUpReason {
    /** The last attempt's failure is not one to retry: permanent, matched by {@code abortOn}, or refused by a retry condition. */
    NOT_RETRYABLE,
    /** {@code maxAttempts} attempts were made. */
    MAX_ATTEMPTS,
    /** The time budget or the call's deadline leaves no room for the backoff and another attempt. */
    DEADLINE,
    /** The shared {@link RetryBudget} allows no more retries now. */
    BUDGET,
    /** The thread was interrupted, or the call cancelled, while attempting or backing off. */
    INTERRUPTED,
    /** User code the retry consulted (a condition, the classifier, the backoff, a delay hint) threw; the call fails with what it threw. */
    POLICY_ERROR
}
