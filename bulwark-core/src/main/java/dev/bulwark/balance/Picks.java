package dev.bulwark.balance;

/** Scans shared by the balancers. */
final class Picks {
    private Picks() {
    }

    /**
     * The first available endpoint at or after {@code start} (wrapping), other than {@code avoid};
     * {@code avoid} itself if it is the only one available; else null.
     */
    static <E extends Endpoint> E firstAvailableFrom(EndpointSet<E> endpoints, int start, Endpoint avoid) {
        int n = endpoints.size();
        boolean avoidAvailable = false;
        for (int i = 0; i < n; i++) {
            E e = endpoints.get((start + i) % n);
            if (e.isAvailable()) {
                if (e != avoid) {
                    return e;
                }
                avoidAvailable = true;
            }
        }
        @SuppressWarnings("unchecked")
        E fallback = avoidAvailable ? (E) avoid : null;
        return fallback;
    }

    /** Whether {@code e} may be chosen: available and not the one to avoid. */
    static boolean eligible(Endpoint e, Endpoint avoid) {
        return e != avoid && e.isAvailable();
    }
}
