package dev.bulwark.testing;

/**
 * The failure a {@link SimulatedDependency} produces: its message names the dependency and why it
 * failed, {@value #ERROR_RATE} (a random failure drawn at the configured rate) or {@value #OUTAGE}
 * (every call fails during an outage phase).
 *
 * <p>It carries no stack trace: simulated failures are thrown by the thousand in load tests and
 * benchmarks, always from the same place, so filling in the trace would only cost time.
 */
public final class SimulatedFailureException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The {@link #reason()} of a random failure drawn at the dependency's error rate. */
    public static final String ERROR_RATE = "error rate";
    /** The {@link #reason()} of a failure during an outage phase. */
    public static final String OUTAGE = "outage";

    private final String dependency;
    private final String reason;

    /**
     * A failure of {@code dependency} for {@code reason}, normally {@link #ERROR_RATE} or
     * {@link #OUTAGE}; public so tests of code that handles it can make one.
     */
    public SimulatedFailureException(String dependency, String reason) {
        super("simulated failure of '" + dependency + "': " + reason, null, true, false);
        this.dependency = dependency;
        this.reason = reason;
    }

    /** The name of the dependency that failed. */
    public String dependency() {
        return dependency;
    }

    /** Why it failed: {@link #ERROR_RATE} or {@link #OUTAGE}. */
    public String reason() {
        return reason;
    }
}
