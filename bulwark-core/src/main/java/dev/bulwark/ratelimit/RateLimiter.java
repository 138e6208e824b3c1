package dev.bulwark.ratelimit;

import dev.bulwark.CallFailedException;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * Admits calls at a bounded rate. Implementations: {@link TokenBucket} (a rate with bursts) and
 * {@link SlidingWindowLimiter} (at most N calls in any window of length T); {@link KeyedRateLimiter}
 * keeps one per key. Rejections carry a retry-after hint.
 */
public interface RateLimiter {

    String name();

    /** Takes one permit if one is available now. Lock-free and allocation-free. */
    default boolean tryAcquire() {
        return tryAcquire(1);
    }

    /** Takes {@code permits} permits if they are all available now. */
    boolean tryAcquire(int permits);

    /**
     * Takes {@code permits} permits, waiting at most {@code maxWait} for them. Returns false at
     * once if they could not be had within {@code maxWait}, without waiting in vain; false also if
     * the thread is interrupted while waiting (its interrupt status is set again).
     */
    boolean tryAcquire(int permits, Duration maxWait);

    /** Nanoseconds until one permit will be available (0 if one is available now). */
    long nanosUntilPermit();

    /** A rejection naming this limiter, its limit and when a permit will be available. */
    RateLimitedException rejection();

    /** Runs {@code task} if a permit is available now, else throws {@link RateLimitedException}. */
    default <T> T call(Callable<T> task) {
        if (!tryAcquire()) {
            throw rejection();
        }
        try {
            return task.call();
        } catch (Exception e) {
            throw CallFailedException.propagate(e);
        }
    }
}
