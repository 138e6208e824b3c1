package dev.bulwark.demo;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Offers calls at a steady rate whatever the answers take (an open loop, as real traffic does):
 * a slow dependency does not slow the arrivals, it piles up calls in the client.
 */
final class LoadGenerator {
    /** One call: returns normally when answered, throws when the caller sees an error. */
    interface Call {
        void run(int sequence) throws Exception;
    }

    private final String name;
    private final int ratePerSecond;
    private final Duration duration;

    LoadGenerator(String name, int ratePerSecond, Duration duration) {
        this.name = name;
        this.ratePerSecond = ratePerSecond;
        this.duration = duration;
    }

    /** Runs the load until the duration has passed, then waits for the calls still running. */
    void run(Call call, RunStats stats) throws InterruptedException {
        AtomicInteger threads = new AtomicInteger();
        ExecutorService callers = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, name + "-caller-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        long periodNanos = 1_000_000_000L / ratePerSecond;
        long start = System.nanoTime();
        long end = start + duration.toNanos();
        for (int i = 0; ; i++) {
            long due = start + i * periodNanos;
            if (due - end >= 0) {
                break;
            }
            long wait = due - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(wait);
            }
            int sequence = i;
            callers.execute(() -> {
                stats.started();
                boolean answered;
                try {
                    call.run(sequence);
                    answered = true;
                } catch (Exception e) {
                    answered = false;
                }
                stats.finished(System.nanoTime() - due, answered);
            });
        }
        callers.shutdown();
        if (!callers.awaitTermination(30, TimeUnit.SECONDS)) {
            callers.shutdownNow();
        }
    }
}
