package dev.bulwark.ratelimit;

import dev.bulwark.internal.Check;
import dev.bulwark.registry.PolicyRegistry;
import dev.bulwark.time.Scheduler;

/** Registries of named token buckets: one per caller or downstream, each with its own rate, changed live. */
public final class TokenBuckets {
    private TokenBuckets() {
    }

    /**
     * Named token buckets created from {@code defaults} unless a name was
     * {@linkplain PolicyRegistry#configure(String, Object) given its own config}; a new config
     * reaches a live bucket through {@link TokenBucket#setRate}, keeping the permits on hand.
     */
    public static PolicyRegistry<TokenBucket, TokenBucketConfig> registry(TokenBucketConfig defaults) {
        return registry(defaults, Scheduler.system());
    }

    /** As {@link #registry(TokenBucketConfig)}, the buckets timed and waiting on {@code scheduler}. */
    public static PolicyRegistry<TokenBucket, TokenBucketConfig> registry(TokenBucketConfig defaults, Scheduler scheduler) {
        Check.notNull("scheduler", scheduler);
        return PolicyRegistry.of(defaults, new PolicyRegistry.Kind<>() {
            @Override
            public TokenBucket create(String name, TokenBucketConfig config) {
                return TokenBucket.builder(name).permitsPerSecond(config.permitsPerSecond()).burst(config.burst())
                        .scheduler(scheduler).build();
            }

            @Override
            public void reconfigure(TokenBucket bucket, TokenBucketConfig config) {
                bucket.setRate(config.permitsPerSecond(), config.burst());
            }
        });
    }
}
