package dev.bulwark.ratelimit;

import dev.bulwark.internal.Check;

/**
 * A token bucket's rate and burst, as a value: what a {@linkplain TokenBuckets#registry registry}
 * creates its buckets from and applies to them live ({@link TokenBucket#setRate}).
 */
public record TokenBucketConfig(double permitsPerSecond, int burst) {
    public TokenBucketConfig {
        Check.inRange("permitsPerSecond", permitsPerSecond, 0, TokenBucket.MAX_RATE);
        Check.between("burst", burst, 1, 1_000_000_000);
        TokenBucket.builder("check").permitsPerSecond(permitsPerSecond).burst(burst).build(); // the combination, too
    }

    /** {@code permitsPerSecond} with a burst of one permit. */
    public static TokenBucketConfig of(double permitsPerSecond) {
        return new TokenBucketConfig(permitsPerSecond, 1);
    }
}
