package dev.bulwark.balance;

/**
 * Endpoints a balancer should pass over if any other is available: those a call has already
 * tried. A balancer picks an excluded endpoint only when every available one is excluded, since a
 * second try on the same endpoint beats no try at all.
 */
@FunctionalInterface
public interface Exclusion {
    /** Excludes nothing. */
    Exclusion NONE = endpoint -> false;

    /** Whether {@code endpoint} is to be passed over. */
    boolean excludes(Endpoint endpoint);

    /** Excludes just {@code endpoint} ({@code null}: nothing). */
    static Exclusion of(Endpoint endpoint) {
        return endpoint == null ? NONE : e -> e == endpoint;
    }
}
