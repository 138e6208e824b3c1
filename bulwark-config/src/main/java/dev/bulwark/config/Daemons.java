package dev.bulwark.config;

import dev.bulwark.internal.Events;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * What the policy sources share: the one thread each reads and calls back on (a daemon, so it
 * never holds the JVM open), how it retries after a failure, and how it calls a listener.
 */
final class Daemons {
    private static final System.Logger LOG = System.getLogger("dev.bulwark.config");
    private static final long FIRST_RETRY_MS = 200;
    private static final long MAX_RETRY_MS = 5_000;
    private Daemons() {
    }

    /** One daemon thread; tasks still delayed when it is shut down are dropped, not run. */
    static ScheduledExecutorService single(String threadName) {
        ScheduledThreadPoolExecutor executor = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        executor.setRemoveOnCancelPolicy(true);
        return executor;
    }

    /** Runs what is queued on {@code executor} (closing watches), then stops it. */
    static void drainAndStop(ScheduledExecutorService executor) {
        executor.shutdown();
        try {
            if (!executor.awaitTermination(2, TimeUnit.SECONDS)) {
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            executor.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }

    /** Runs {@code task} on {@code executor}; nothing once it is shut down (the source is closed). */
    static void submit(ScheduledExecutorService executor, Runnable task) {
        try {
            executor.execute(task);
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            // the source is closed: its watches are over
        }
    }

    /** Runs {@code task} after the backoff for the {@code failures}-th failure in a row (200 ms doubling to 5 s). */
    static void retry(ScheduledExecutorService executor, int failures, Runnable task) {
        long delay = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS << Math.min(failures, 5));
        try {
            executor.schedule(task, delay, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            // the source is closed
        }
    }

    /**
     * Tells {@code listener} that {@code center} cannot be read for {@code prefix}, logging the
     * event {@code config center unavailable} (the last good policies stay in force).
     */
    static void unavailable(String center, String prefix, Throwable error, PolicySource.Listener listener) {
        Events.warn(Events.POLICY, "config center unavailable", "center", center, "prefix", prefix, "error", String.valueOf(error),
                "now", "the last good policies stay in force");
        tell(() -> listener.onUnavailable(error));
    }

    /** Tells {@code listener} that {@code center} can be read again, logging the event {@code config center resumed}. */
    static void resumed(String center, String prefix, PolicySource.Listener listener) {
        Events.info(Events.POLICY, "config center resumed", "center", center, "prefix", prefix);
        tell(listener::onResumed);
    }

    /** Calls a listener; one that throws is logged, and the source goes on. */
    static void tell(Runnable callback) {
        try {
            callback.run();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "a policy listener threw; ignored", e);
        }
    }
}
