package dev.bulwark.balance;

import dev.bulwark.CallContext;
import java.util.random.RandomGenerator;

/** Uniformly at random among the available endpoints. */
final class RandomBalancer implements LoadBalancer {
    private final RandomGenerator fixed;

    RandomBalancer(RandomGenerator fixed) {
        this.fixed = fixed;
    }

    @Override
    public Endpoint pick(EndpointSet<? extends Endpoint> endpoints, CallContext context, Exclusion avoid) {
        int n = endpoints.size();
        if (n == 0) {
            return null;
        }
        return Picks.uniform(endpoints, avoid, Randoms.of(fixed));
    }

    @Override
    public String toString() {
        return "random";
    }
}
