package dev.bulwark.retry;

import dev.bulwark.internal.Check;
import dev.bulwark.registry.PolicyRegistry;
import dev.bulwark.time.Scheduler;

/** Registries of named retries: one per downstream, each with its own attempts and backoff, changed live. */
public final class Retries {
    private Retries() {
    }

    /**
     * Named retries created from {@code defaults} unless a name was
     * {@linkplain PolicyRegistry#configure(String, Object) given its own config}; a new config
     * reaches a live retry (and the pools holding it) through {@link Retry#reconfigure}.
     */
    public static PolicyRegistry<Retry, RetryConfig> registry(RetryConfig defaults) {
        return registry(defaults, Scheduler.system());
    }

    /** As {@link #registry(RetryConfig)}, backing off on {@code scheduler}. */
    public static PolicyRegistry<Retry, RetryConfig> registry(RetryConfig defaults, Scheduler scheduler) {
        Check.notNull("scheduler", scheduler);
        return PolicyRegistry.of(defaults, new PolicyRegistry.Kind<>() {
            @Override
            public Retry create(String name, RetryConfig config) {
                Retry.Builder b = Retry.builder(name).maxAttempts(config.maxAttempts()).backoff(config.backoff()).scheduler(scheduler);
                config.timeBudget().ifPresent(b::maxDuration);
                return b.build();
            }

            @Override
            public void reconfigure(Retry retry, RetryConfig config) {
                retry.reconfigure(config);
            }
        });
    }
}
