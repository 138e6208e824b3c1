package dev.bulwark.discovery.zookeeper;

import dev.bulwark.retry.Backoff;
import dev.bulwark.retry.Jitter;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.apache.curator.RetryPolicy;
import org.apache.curator.RetrySleeper;

/**
 * Curator's retry policy for this registry: exponential backoff with jitter (from
 * {@value #BASE_MILLIS} ms, doubling, at most {@value #MAX_SLEEP_MILLIS} ms a sleep), but never
 * past a total budget (the connect timeout) counted from the operation's start. Curator's stock
 * policies bound the number of retries, not the time, and each retry may itself wait a full
 * connection timeout: a call to a dead server would then block for minutes, not seconds.
 */
final class BoundedBackoff implements RetryPolicy {
    static final long BASE_MILLIS = 50;
    static final long MAX_SLEEP_MILLIS = 1_000;
    /** Each sleep between half and all of the growing ceiling. */
    private static final Backoff SLEEPS = Backoff.exponential(Duration.ofMillis(BASE_MILLIS), 2,
            Duration.ofMillis(MAX_SLEEP_MILLIS)).withJitter(Jitter.EQUAL);

    private final long budgetMillis;

    BoundedBackoff(long budgetMillis) {
        this.budgetMillis = budgetMillis;
    }

    @Override
    public boolean allowRetry(int retryCount, long elapsedTimeMs, RetrySleeper sleeper) {
        long sleep = SLEEPS.delayNanos(retryCount + 1, 0, ThreadLocalRandom.current().nextDouble()) / 1_000_000L;
        if (elapsedTimeMs + sleep >= budgetMillis) {
            return false;
        }
        try {
            sleeper.sleepFor(sleep, TimeUnit.MILLISECONDS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
