package dev.bulwark.balance;

import dev.bulwark.InvalidConfigException;
import dev.bulwark.internal.Check;
import java.util.Arrays;
import java.util.Locale;

/**
 * Names for the built-in balancers, one way among others of getting a {@link LoadBalancer}:
 * {@code Strategy.PEAK_EWMA.create()}, or by name with {@link LoadBalancers#create(String)}, which
 * also finds balancers other libraries provide. The list is not closed: any {@code LoadBalancer}
 * serves wherever a balancer is asked for.
 */
public enum Strategy {
    /** Each endpoint in turn. */
    ROUND_ROBIN,
    /** Uniformly at random. */
    RANDOM,
    /** At random, in proportion to weight. */
    WEIGHTED_RANDOM,
    /** In proportion to weight, spread evenly (nginx's smooth weighted round robin). */
    WEIGHTED_ROUND_ROBIN,
    /** The less busy of two random endpoints (power of two choices on calls in flight). */
    LEAST_REQUESTS,
    /** The lower of two random endpoints' peak-EWMA latency × (calls in flight + 1). */
    PEAK_EWMA,
    /** The endpoint a call's hash key maps to; a key moves only when its endpoint leaves. */
    CONSISTENT_HASH;

    /** A new balancer of this strategy, with its own state. */
    public LoadBalancer create() {
        return LoadBalancers.create(this);
    }

    /** Whether this strategy reads endpoint statistics (calls in flight, latency), which whoever makes the calls must feed. */
    public boolean needsStatistics() {
        return this == LEAST_REQUESTS || this == PEAK_EWMA;
    }

    /** The strategy's configuration name: lower case with dashes, e.g. {@code peak-ewma}. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The strategy named {@code name}: {@code peak-ewma}, {@code PEAK_EWMA} and {@code peak_ewma} alike. */
    public static Strategy of(String name) {
        Check.name("strategy", name);
        String wanted = name.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (Strategy s : values()) {
            if (s.name().equals(wanted)) {
                return s;
            }
        }
        throw new InvalidConfigException("strategy", name, "one of " + Arrays.stream(values()).map(Strategy::configName).toList());
    }
}
