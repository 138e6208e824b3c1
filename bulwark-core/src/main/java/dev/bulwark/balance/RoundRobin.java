package dev.bulwark.balance;

import dev.bulwark.CallContext;
import java.util.concurrent.atomic.AtomicInteger;

/** Each endpoint in turn: one shared counter, the next available endpoint from it. */
final class RoundRobin implements LoadBalancer {
    private final AtomicInteger next = new AtomicInteger();

    @Override
    public <E extends Endpoint> E pick(EndpointSet<E> endpoints, CallContext context, Endpoint avoid) {
        int n = endpoints.size();
        if (n == 0) {
            return null;
        }
        int start = Math.floorMod(next.getAndIncrement(), n);
        return Picks.firstAvailableFrom(endpoints, start, avoid);
    }

    @Override
    public String toString() {
        return "round robin";
    }
}
