package dev.bulwark.testing.sim;

import dev.bulwark.CallContext;
import dev.bulwark.balance.Endpoint;
import dev.bulwark.balance.EndpointSet;
import dev.bulwark.balance.Exclusion;
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
    public Endpoint pick(EndpointSet<? extends Endpoint> endpoints, CallContext context, Exclusion tried) {
        Endpoint best = least(endpoints, tried, false);
        if (best == null) {
            best = least(endpoints, tried, true);
        }
        if (best == null) {
            best = least(endpoints, Exclusion.NONE, true); // only tried ones left: better one of them than none
        }
        return best;
    }

    private Endpoint least(EndpointSet<? extends Endpoint> endpoints, Exclusion tried, boolean includeBad) {
        int n = endpoints.size();
        if (n == 0) {
            return null;
        }
        int start = random.nextInt(n); // ties go to the first found from a random start
        Endpoint best = null;
        for (int i = 0; i < n; i++) {
            Endpoint e = endpoints.get((start + i) % n);
            if (tried.excludes(e) || !e.isAvailable() || (!includeBad && bad.contains(e.name()))) {
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
