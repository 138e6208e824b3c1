package dev.bulwark.testing;

/**
 * What a {@link SimulatedDependency} does with a call at some moment: the latency it draws and its
 * error rate, or, during an outage ({@code outageFailAfterNanos >= 0}), failing every call after
 * that long.
 */
record CallBehaviour(LatencyDistribution latency, double errorRate, long outageFailAfterNanos) {

    static final long NO_OUTAGE = -1;

    boolean outage() {
        return outageFailAfterNanos >= 0;
    }
}
