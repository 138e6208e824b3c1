package dev.bulwark.breaker;

/**
 * A reading of a breaker's counters, for dashboards, metrics and operators.
 *
 * @param state the state at the time of reading
 * @param calls calls in the current window (closed state)
 * @param failures failures among them
 * @param slowCalls slow calls among them
 * @param timeouts timeouts among them
 * @param consecutiveFailures failures in a row, closed state
 * @param consecutiveSuccesses successes in a row, closed state (counted only with a custom trip rule)
 * @param probesInFlight half-open probes admitted and not yet reported
 * @param rejectedCalls calls rejected since creation (in metrics-only mode: calls that would have been)
 * @param nanosUntilProbe while open, time until the next probe is admitted
 */
public record CircuitBreakerMetrics(State state, long calls, long failures, long slowCalls, long timeouts,
        int consecutiveFailures, int consecutiveSuccesses, int probesInFlight, long rejectedCalls, long nanosUntilProbe)
        implements BreakerCounts {
}
