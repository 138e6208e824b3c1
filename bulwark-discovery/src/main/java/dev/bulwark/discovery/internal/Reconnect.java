package dev.bulwark.discovery.internal;

import dev.bulwark.retry.Backoff;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Delays between attempts to reach a registry again (resume a watch, renew a lease): 200 ms
 * doubling to a cap of 2 s, ± 20 % so that many clients cut off together do not come back in
 * lockstep. Short on purpose: a registry that comes back must be used again within a couple of
 * seconds, well inside any lease's TTL.
 */
public final class Reconnect {
    private static final Backoff DELAYS = Backoff.exponential(Duration.ofMillis(200), 2, Duration.ofSeconds(2))
            .withJitter(0.2);

    private Reconnect() {
    }

    /** The delay before attempt number {@code failures + 1}, {@code failures >= 1}. */
    public static long delayNanos(int failures) {
        return DELAYS.delayNanos(Math.max(1, failures), 0, ThreadLocalRandom.current().nextDouble());
    }
}
