package dev.bulwark.discovery.etcd;

import java.util.concurrent.ThreadLocalRandom;

/**
 * Delays between attempts to resume a watch or repair a lease: 200 ms doubling to a cap of 2 s,
 * with ±20 % jitter so that many clients cut off together do not come back in lockstep.
 */
final class Backoff {
    static final long FIRST_NANOS = 200_000_000L;
    static final long MAX_NANOS = 2_000_000_000L;

    private Backoff() {
    }

    /** The delay before attempt number {@code failures + 1}, {@code failures >= 1}. */
    static long delayNanos(int failures) {
        long base = FIRST_NANOS << Math.min(Math.max(failures - 1, 0), 4);
        long capped = Math.min(base, MAX_NANOS);
        return (long) (capped * ThreadLocalRandom.current().nextDouble(0.8, 1.2));
    }
}
