package dev.bulwark;

/** How a {@link FailureClassifier} judges the outcome of a call. */
public enum Verdict {
    /** The call worked. */
    SUCCESS,
    /** The call failed and retrying may help; breakers count it. */
    FAILURE,
    /** The call failed and retrying cannot help; breakers count it, retries stop. */
    PERMANENT_FAILURE,
    /** Neither success nor failure for any policy (e.g. a client-side cancellation): not counted, not retried. */
    IGNORED;

    /** Whether a breaker counts this outcome as a failure. */
    public boolean isFailure() {
        return this == FAILURE || this == PERMANENT_FAILURE;
    }
}
