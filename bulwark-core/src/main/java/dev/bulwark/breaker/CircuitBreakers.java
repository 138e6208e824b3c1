package dev.bulwark.breaker;

import dev.bulwark.registry.PolicyRegistry;
import dev.bulwark.time.Ticker;

/** Registries of named circuit breakers. */
public final class CircuitBreakers {
    private CircuitBreakers() {
    }

    /** Named breakers created from {@code defaults} on the system ticker, reconfigured live. */
    public static PolicyRegistry<CircuitBreaker, CircuitBreakerConfig> registry(CircuitBreakerConfig defaults) {
        return registry(defaults, Ticker.system());
    }

    /** Named breakers created from {@code defaults}, reading time from {@code ticker}. */
    public static PolicyRegistry<CircuitBreaker, CircuitBreakerConfig> registry(CircuitBreakerConfig defaults, Ticker ticker) {
        return PolicyRegistry.of(defaults, new PolicyRegistry.Kind<>() {
            @Override
            public CircuitBreaker create(String name, CircuitBreakerConfig config) {
                return CircuitBreaker.of(name, config, ticker);
            }

            @Override
            public void reconfigure(CircuitBreaker breaker, CircuitBreakerConfig config) {
                breaker.reconfigure(config);
            }
        });
    }
}
