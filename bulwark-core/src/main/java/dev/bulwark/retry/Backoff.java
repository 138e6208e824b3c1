package dev.bulwark.retry;

import dev.bulwark.internal.Check;
import java.time.Duration;

/**
 * The delay before each retry: none, fixed, or exponential with a cap, each optionally jittered.
 * Immutable; {@link #delayNanos(int, long, double)} allocates nothing.
 *
 * <pre>{@code
 * Backoff.exponential(Duration.ofMillis(100), 2.0, Duration.ofSeconds(5)).withJitter(Jitter.FULL)
 * }</pre>
 */
public final class Backoff {
    private static final Backoff NONE = new Backoff(0, 1.0, 0, Jitter.NONE);

    private final long initialNanos;
    private final double multiplier;
    private final long maxNanos;
    private final Jitter jitter;

    private Backoff(long initialNanos, double multiplier, long maxNanos, Jitter jitter) {
        this.initialNanos = initialNanos;
        this.multiplier = multiplier;
        this.maxNanos = maxNanos;
        this.jitter = jitter;
    }

    /** Retries at once. */
    public static Backoff none() {
        return NONE;
    }

    /** The same delay before every retry. */
    public static Backoff fixed(Duration delay) {
        long nanos = Check.nanos(Check.nonNegative("backoff.delay", delay));
        return new Backoff(nanos, 1.0, nanos, Jitter.NONE);
    }

    /** {@code initial × multiplier^(retry-1)}, at most {@code max}. */
    public static Backoff exponential(Duration initial, double multiplier, Duration max) {
        long first = Check.nanos(Check.positive("backoff.initial", initial));
        Check.closed("backoff.multiplier", multiplier, 1.0, 100.0);
        long cap = Check.nanos(Check.positive("backoff.max", max));
        if (cap < first) {
            throw new dev.bulwark.InvalidConfigException("backoff.max", max, "a duration >= backoff.initial (" + initial + ")");
        }
        return new Backoff(first, multiplier, cap, Jitter.NONE);
    }

    /** This backoff with its delays randomised by {@code kind}. */
    public Backoff withJitter(Jitter kind) {
        return new Backoff(initialNanos, multiplier, maxNanos, Check.notNull("jitter", kind));
    }

    public Jitter jitter() {
        return jitter;
    }

    public long maxNanos() {
        return maxNanos;
    }

    /**
     * The delay before retry number {@code retry} (1 for the first retry).
     *
     * @param previousNanos the delay before the previous retry (0 before the first), for DECORRELATED
     * @param random a number in [0, 1)
     */
    public long delayNanos(int retry, long previousNanos, double random) {
        if (maxNanos == 0) {
            return 0;
        }
        double computed = Math.min((double) maxNanos, initialNanos * Math.pow(multiplier, Math.max(0, retry - 1)));
        double delay = switch (jitter) {
            case NONE -> computed;
            case FULL -> computed * random;
            case EQUAL -> computed / 2 + computed / 2 * random;
            case DECORRELATED -> {
                double upper = Math.max(initialNanos, 3.0 * Math.max(previousNanos, initialNanos));
                yield Math.min((double) maxNanos, initialNanos + (upper - initialNanos) * random);
            }
        };
        return (long) delay;
    }

    @Override
    public String toString() {
        return "Backoff{initial=" + Duration.ofNanos(initialNanos) + ", multiplier=" + multiplier
                + ", max=" + Duration.ofNanos(maxNanos) + ", jitter=" + jitter + '}';
    }
}
