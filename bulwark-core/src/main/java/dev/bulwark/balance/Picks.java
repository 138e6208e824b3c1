package dev.bulwark.balance;

import java.util.random.RandomGenerator;

/** Scans shared by the balancers. */
final class Picks {
    /** Random draws a balancer makes before falling back to {@link #drawAmongEligible}. */
    static final int DRAWS = 8;

    private Picks() {
    }

    /**
     * Uniformly at random among the eligible endpoints: draws again on an ineligible one (so its
     * share is spread over all the others, not handed to its neighbour), then scans.
     */
    static Endpoint uniform(EndpointSet<? extends Endpoint> endpoints, Exclusion avoid, RandomGenerator random) {
        int n = endpoints.size();
        for (int draw = 0; draw < DRAWS; draw++) {
            Endpoint e = endpoints.get(random.nextInt(n));
            if (eligible(e, avoid)) {
                return e;
            }
        }
        return drawAmongEligible(endpoints, avoid, random, false);
    }

    /**
     * One draw among the eligible endpoints, in proportion to weight or uniformly, by scanning them
     * all: for when draws kept hitting unavailable ones. {@code avoid} if it is the only one
     * available; else null.
     */
    static Endpoint drawAmongEligible(EndpointSet<? extends Endpoint> endpoints, Exclusion avoid, RandomGenerator random,
            boolean weighted) {
        int n = endpoints.size();
        long total = 0;
        for (int i = 0; i < n; i++) {
            Endpoint e = endpoints.get(i);
            if (eligible(e, avoid)) {
                total += weighted ? Math.max(1, e.weight()) : 1;
            }
        }
        if (total > 0) {
            long target = random.nextLong(total);
            for (int i = 0; i < n; i++) {
                Endpoint e = endpoints.get(i);
                if (eligible(e, avoid)) {
                    target -= weighted ? Math.max(1, e.weight()) : 1;
                    if (target < 0) {
                        return e;
                    }
                }
            }
        }
        return firstAvailableFrom(endpoints, 0, avoid);
    }

    /**
     * The first available endpoint at or after {@code start} (wrapping) that {@code avoid} does not
     * exclude; else the first available one it excludes (better a second try than none); else null.
     */
    static Endpoint firstAvailableFrom(EndpointSet<? extends Endpoint> endpoints, int start, Exclusion avoid) {
        int n = endpoints.size();
        Endpoint excludedButAvailable = null;
        for (int i = 0; i < n; i++) {
            Endpoint e = endpoints.get((start + i) % n);
            if (e.isAvailable()) {
                if (!avoid.excludes(e)) {
                    return e;
                }
                if (excludedButAvailable == null) {
                    excludedButAvailable = e;
                }
            }
        }
        return excludedButAvailable;
    }

    /** Whether {@code e} may be chosen: available and not excluded. */
    static boolean eligible(Endpoint e, Exclusion avoid) {
        return e.isAvailable() && !avoid.excludes(e);
    }
}
