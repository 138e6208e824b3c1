package dev.bulwark.balance;

import dev.bulwark.CallContext;
import dev.bulwark.internal.Check;
import java.util.random.RandomGenerator;

/**
 * Makes balancers: the built-ins by {@link Strategy}, and any by name, the built-ins' and those
 * {@linkplain BalancerProvider provided} by other libraries. Each call returns a new instance with
 * its own state; give each pool (or client) its own.
 */
public final class LoadBalancers {
    /** The key a consistent-hash balancer routes a call by (a user id, a cache key...). */
    public static final CallContext.Key<Object> HASH_KEY = CallContext.key("bulwark.balance.hashKey");

    private LoadBalancers() {
    }

    /**
     * A new balancer named {@code name}: a built-in strategy ({@code peak-ewma}, {@code round-robin}, ...)
     * or one a {@link BalancerProvider} on the class path offers.
     */
    public static LoadBalancer create(String name) {
        Check.name("balancer", name);
        for (Strategy s : Strategy.values()) {
            if (s.configName().equalsIgnoreCase(name.trim()) || s.name().equalsIgnoreCase(name.trim())) {
                return create(s);
            }
        }
        java.util.List<String> known = new java.util.ArrayList<>();
        for (Strategy s : Strategy.values()) {
            known.add(s.configName());
        }
        for (BalancerProvider provider : java.util.ServiceLoader.load(BalancerProvider.class)) {
            if (provider.name().equalsIgnoreCase(name.trim())) {
                return Check.notNull("balancer provider '" + provider.name() + "' result", provider.create());
            }
            known.add(provider.name());
        }
        throw new dev.bulwark.InvalidConfigException("balancer", name, "one of " + known);
    }

    /** A new balancer of {@code strategy}, random choices from the calling thread's generator. */
    public static LoadBalancer create(Strategy strategy) {
        return create(strategy, null);
    }

    /**
     * A new balancer of {@code strategy} drawing its random choices from {@code random}, for
     * deterministic simulations and tests; {@code random} must then be used by one thread at a time.
     */
    public static LoadBalancer create(Strategy strategy, RandomGenerator random) {
        return switch (Check.notNull("strategy", strategy)) {
            case ROUND_ROBIN -> new RoundRobin();
            case RANDOM -> new RandomBalancer(random);
            case WEIGHTED_RANDOM -> new WeightedRandom(random);
            case WEIGHTED_ROUND_ROBIN -> new SmoothWeightedRoundRobin();
            case LEAST_REQUESTS -> new PowerOfTwoChoices(false, random);
            case PEAK_EWMA -> new PowerOfTwoChoices(true, random);
            case CONSISTENT_HASH -> new MaglevHash(random);
        };
    }

    public static LoadBalancer roundRobin() {
        return create(Strategy.ROUND_ROBIN);
    }

    public static LoadBalancer random() {
        return create(Strategy.RANDOM);
    }

    public static LoadBalancer weightedRandom() {
        return create(Strategy.WEIGHTED_RANDOM);
    }

    public static LoadBalancer weightedRoundRobin() {
        return create(Strategy.WEIGHTED_ROUND_ROBIN);
    }

    public static LoadBalancer leastRequests() {
        return create(Strategy.LEAST_REQUESTS);
    }

    public static LoadBalancer peakEwma() {
        return create(Strategy.PEAK_EWMA);
    }

    public static LoadBalancer consistentHash() {
        return create(Strategy.CONSISTENT_HASH);
    }
}
