package dev.bulwark.breaker;

/** The state of a {@link CircuitBreaker}. */
public enum State {
    /** Calls pass; outcomes are counted against the trip rules. */
    CLOSED,
    /** Calls are rejected until the open duration has passed. */
    OPEN,
    /** A few probe calls pass; enough successes close the breaker, a failure reopens it. */
    HALF_OPEN,
    /** Set by an operator: every call is rejected until {@link CircuitBreaker#reset()}. */
    FORCED_OPEN,
    /** Set by an operator: every call passes and nothing is counted until {@link CircuitBreaker#reset()}. */
    DISABLED;

    /** Whether calls are currently rejected in this state (half-open admits probes). */
    public boolean rejectsCalls() {
        return this == OPEN || this == FORCED_OPEN;
    }
}
