package dev.bulwark.balance;

import dev.bulwark.CallContext;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Each endpoint in turn, from one shared counter. An unavailable endpoint's turn passes to the
 * counter's next turn, not to its neighbour, so the others share its traffic evenly instead of
 * the next one in line taking all of it.
 */
final class RoundRobin implements LoadBalancer {
    private final AtomicInteger next = new AtomicInteger();

    @Override
    public Endpoint pick(EndpointSet<? extends Endpoint> endpoints, CallContext context, Exclusion avoid) {
        int n = endpoints.size();
        if (n == 0) {
            return null;
        }
        for (int turn = 0; turn < n; turn++) {
            Endpoint e = endpoints.get(Math.floorMod(next.getAndIncrement(), n));
            if (Picks.eligible(e, avoid)) {
                return e;
            }
        }
        return Picks.firstAvailableFrom(endpoints, 0, avoid);
    }

    @Override
    public String toString() {
        return "round robin";
    }
}
