package dev.bulwark.breaker;

/**
 * What a closed breaker has counted, as a {@link TripRule} sees it: the calls in its window and
 * the runs of outcomes since the last change of state. Ignored outcomes (rejections,
 * cancellations, whatever the classifier ignores) are not counted anywhere.
 */
public interface BreakerCounts {

    /** Calls in the window. */
    long calls();

    /** Calls in the window that failed (timeouts included). */
    long failures();

    /** Calls in the window that succeeded. */
    default long successes() {
        return Math.max(0, calls() - failures());
    }

    /** Calls in the window that took at least the slow-call duration, whatever their outcome. */
    long slowCalls();

    /** Calls in the window that failed by timing out (see {@link dev.bulwark.FailureClassifier#isTimeout}). */
    long timeouts();

    /** Failures in a row, up to the latest call. */
    int consecutiveFailures();

    /**
     * Successes in a row, up to the latest call. Counted only while a custom {@link TripRule} is
     * set (it costs a shared write per success); 0 otherwise.
     */
    int consecutiveSuccesses();

    /** Failures as a percentage of the window's calls; 0 for an empty window. */
    default double failureRate() {
        long calls = calls();
        return calls == 0 ? 0 : 100.0 * failures() / calls;
    }

    /** Slow calls as a percentage of the window's calls; 0 for an empty window. */
    default double slowCallRate() {
        long calls = calls();
        return calls == 0 ? 0 : 100.0 * slowCalls() / calls;
    }

    /** Timeouts as a percentage of the window's calls; 0 for an empty window. */
    default double timeoutRate() {
        long calls = calls();
        return calls == 0 ? 0 : 100.0 * timeouts() / calls;
    }
}
