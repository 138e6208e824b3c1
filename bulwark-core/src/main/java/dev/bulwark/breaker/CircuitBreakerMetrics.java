package dev.bulwark.breaker;

/**
 * A reading of a breaker's counters.
 *
 * @param state the state at the time of reading
 * @param windowCalls calls in the current window (closed state)
 * @param windowFailures failures among them
 * @param windowSlowCalls slow calls among them
 * @param consecutiveFailures failures in a row, closed state
 * @param probesInFlight half-open probes admitted and not yet reported
 * @param rejectedCalls calls rejected since creation
 * @param nanosUntilProbe while open, time until the next probe is admitted
 */
public record CircuitBreakerMetrics(State state, long windowCalls, long windowFailures, long windowSlowCalls,
        int consecutiveFailures, int probesInFlight, long rejectedCalls, long nanosUntilProbe) {

    /** Failures as a percentage of the window's calls; 0 for an empty window. */
    public double failureRate() {
        return windowCalls == 0 ? 0 : 100.0 * windowFailures / windowCalls;
    }

    /** Slow calls as a percentage of the window's calls; 0 for an empty window. */
    public double slowCallRate() {
        return windowCalls == 0 ? 0 : 100.0 * windowSlowCalls / windowCalls;
    }
}
