package dev.bulwark.time;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

final class SystemScheduler implements Scheduler {
    static final SystemScheduler INSTANCE = new SystemScheduler();

    /** Delays at least this long go to the wheel: no wake-up to schedule, at most one tick late. */
    static final long WHEEL_FROM_NANOS = 20_000_000L;

    private final ScheduledThreadPoolExecutor timer;
    private final TimerWheel wheel;

    private SystemScheduler() {
        timer = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "bulwark-timer");
            thread.setDaemon(true);
            return thread;
        });
        // Timeouts are usually cancelled before they fire; do not keep cancelled tasks queued.
        timer.setRemoveOnCancelPolicy(true);
        wheel = new TimerWheel(timer::execute, "bulwark-timer-wheel");
    }

    @Override
    public Cancellable schedule(Runnable task, long delayNanos) {
        if (delayNanos >= WHEEL_FROM_NANOS) {
            return wheel.schedule(task, System.nanoTime() + delayNanos);
        }
        ScheduledFuture<?> future = timer.schedule(task, Math.max(0, delayNanos), TimeUnit.NANOSECONDS);
        return () -> future.cancel(false);
    }

    @Override
    public void sleep(long nanos) throws InterruptedException {
        if (nanos > 0) {
            TimeUnit.NANOSECONDS.sleep(nanos);
        } else if (Thread.interrupted()) {
            throw new InterruptedException();
        }
    }

    @Override
    public Ticker ticker() {
        return Ticker.system();
    }
}
