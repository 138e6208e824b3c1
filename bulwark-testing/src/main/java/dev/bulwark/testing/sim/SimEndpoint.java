package dev.bulwark.testing.sim;

import dev.bulwark.balance.Endpoint;
import dev.bulwark.balance.EndpointStats;
import dev.bulwark.breaker.CircuitBreaker;

/** A backend as the balancers see it: real statistics and, optionally, a real breaker, both on the run's clock. */
final class SimEndpoint implements Endpoint {
    final Backend backend;
    final int index;
    private final EndpointStats stats;
    private final CircuitBreaker breaker;
    long requests;

    SimEndpoint(Backend backend, int index, EndpointStats stats, CircuitBreaker breaker) {
        this.backend = backend;
        this.index = index;
        this.stats = stats;
        this.breaker = breaker;
    }

    @Override
    public String name() {
        return backend.name();
    }

    @Override
    public int weight() {
        return backend.weight();
    }

    @Override
    public EndpointStats stats() {
        return stats;
    }

    /** Available unless its breaker rejects calls, as a pool's endpoint. */
    @Override
    public boolean isAvailable() {
        return breaker == null || !breaker.state().rejectsCalls();
    }

    /** A breaker permit, or {@link CircuitBreaker#NO_PERMIT}; without a breaker, always 0. */
    long tryAcquire() {
        return breaker == null ? 0 : breaker.tryAcquirePermission();
    }

    CircuitBreaker breaker() {
        return breaker;
    }

    @Override
    public String toString() {
        return name();
    }
}
