package dev.bulwark.testing.sim;

import dev.bulwark.balance.LoadBalancer;
import dev.bulwark.balance.LoadBalancers;
import dev.bulwark.balance.Strategy;
import dev.bulwark.internal.Check;
import java.util.Set;
import java.util.function.Function;
import java.util.random.RandomGenerator;

/**
 * A balancer under test in a {@link Simulation}: a name for the report and how to make a fresh
 * balancer for each run from the run's seeded random generator.
 *
 * <pre>{@code
 * Balancing.of(Strategy.PEAK_EWMA);
 * Balancing.oracle("stalled");                                  // knows which backend is bad
 * Balancing.of("random", random -> LoadBalancers.create(Strategy.RANDOM, random));   // any balancer
 * }</pre>
 */
public final class Balancing {
    private final String name;
    private final Function<RandomGenerator, LoadBalancer> factory;

    private Balancing(String name, Function<RandomGenerator, LoadBalancer> factory) {
        this.name = name;
        this.factory = factory;
    }

    /** A built-in strategy, drawing its random choices from the run's generator; named after the strategy. */
    public static Balancing of(Strategy strategy) {
        Check.notNull("strategy", strategy);
        return new Balancing(strategy.name(), random -> LoadBalancers.create(strategy, random));
    }

    /**
     * Any balancer: {@code factory} is given the run's random generator (use it, rather than a
     * shared or thread-local one, for repeatable runs) and must return a new balancer each time.
     */
    public static Balancing of(String name, Function<RandomGenerator, LoadBalancer> factory) {
        return new Balancing(Check.name("name", name), Check.notNull("factory", factory));
    }

    /**
     * The yardstick: a balancer that knows which backends are bad and never picks them while a
     * good one is available, choosing the good one with the fewest requests in flight (ties at
     * random). No real balancer can know this; the gap to it is what a strategy loses.
     */
    public static Balancing oracle(String... badBackends) {
        Set<String> bad = Set.of(Check.notNull("badBackends", badBackends));
        return new Balancing("oracle", random -> new OracleBalancer(bad, random));
    }

    public String name() {
        return name;
    }

    LoadBalancer create(RandomGenerator random) {
        return Check.notNull("the balancer made by " + name, factory.apply(random));
    }

    @Override
    public String toString() {
        return name;
    }
}
