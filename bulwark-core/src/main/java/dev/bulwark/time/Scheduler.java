package dev.bulwark.time;

/**
 * Runs tasks later and pauses threads: the second half of Bulwark's time abstraction.
 *
 * <p>Policies never call {@code Thread.sleep} or create timers of their own: retry backoff,
 * timeouts and TTL sweeps go through a {@code Scheduler}, so that a virtual-time implementation
 * ({@code dev.bulwark.testing.VirtualScheduler}) can run them deterministically in tests.
 * A scheduler comes with the {@link Ticker} that measures its delays.
 */
public interface Scheduler {

    /**
     * Runs {@code task} once after {@code delayNanos} (at once if zero or negative).
     *
     * @return a handle that cancels the task if it has not started
     */
    Cancellable schedule(Runnable task, long delayNanos);

    /**
     * Blocks the calling thread for {@code nanos}, or until it is interrupted.
     *
     * @throws InterruptedException if the thread is interrupted while waiting; the interrupt
     *     status is cleared, as with {@link Thread#sleep(long)}
     */
    void sleep(long nanos) throws InterruptedException;

    /** The ticker against which this scheduler measures delays. */
    Ticker ticker();

    /**
     * The shared system scheduler: one daemon thread for timers (tasks must be short; they
     * complete futures, interrupt threads or hand work on) and real {@code Thread.sleep} pauses.
     */
    static Scheduler system() {
        return SystemScheduler.INSTANCE;
    }

    /** A scheduled task that can be cancelled before it runs. */
    @FunctionalInterface
    interface Cancellable {
        /** Cancels the task if it has not started; returns whether this call cancelled it. */
        boolean cancel();
    }
}
