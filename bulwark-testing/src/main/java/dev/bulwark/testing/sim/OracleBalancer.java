package dev.bulwark.testing.sim;

import dev.bulwark.CallContext;
import dev.bulwark.balance.Endpoint;
import dev.bulwark.balance.EndpointSet;
import dev.bulwark.balance.LoadBalancer;
import java.util.Set;
import java.util.random.RandomGenerator;

/** Least requests over every endpoint, known-bad ones only when no good one is available. */
final class OracleBalancer implements LoadBalancer {
    private final Set<String> bad;
    private final RandomGenerator random;

    OracleBalancer(Set<String> bad, RandomGenerator random) {
        this.bad = bad;
        this.random = random;
    }

    @Override
    public <E extends Endpoint> E pick(EndpointSet<E> endpoints, CallContext context, Endpoint avoid) {
        E best = least(endpoints, avoid, false);
        if (best == null) {
            best = least(endpoints, avoid, true);
        }
        if (best == null && avoid != null && avoid.isAvailable()) {
            @SuppressWarnings("unchecked")
            E only = (E) avoid;
            best = only;
        }
        return best;
    }

    private <E extends Endpoint> E least(EndpointSet<E> endpoints, Endpoint avoid, boolean includeBad) {
        int n = endpoints.size();
        if (n == 0) {
            return null;
        }
        int start = random.nextInt(n); // ties go to the first found from a random start
        E best = null;
        for (int i = 0; i < n; i++) {
            E e = endpoints.get((start + i) % n);
            if (e == avoid || !e.isAvailable() || (!includeBad && bad.contains(e.name()))) {
                continue;
            }
            if (best == null || e.stats().inFlight() < best.stats().inFlight()) {
                best = e;
            }
        }
        return best;
    }

    @Override
    public String toString() {
        return "oracle avoiding " + bad;
    }
}
