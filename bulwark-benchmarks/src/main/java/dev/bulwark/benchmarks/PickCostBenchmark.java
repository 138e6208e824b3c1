package dev.bulwark.benchmarks;

import dev.bulwark.CallContext;
import dev.bulwark.balance.Endpoint;
import dev.bulwark.balance.Exclusion;
import dev.bulwark.balance.EndpointSet;
import dev.bulwark.balance.EndpointStats;
import dev.bulwark.balance.LoadBalancer;
import dev.bulwark.balance.LoadBalancers;
import dev.bulwark.balance.Strategy;
import dev.bulwark.time.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of one {@link LoadBalancer#pick} for every strategy, at 10, 1 000 and 10 000 endpoints:
 * precomputed tables (alias, cycle, Maglev) are built in setup, so this is the steady-state pick.
 * Run alone by {@code scripts/bench picks}, at one thread: the figure is a pick's own cost, without
 * contention on the round-robin counters.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Thread)
public class PickCostBenchmark {
    private static final int KEYS = 16; // a power of two: the next key is one mask away

    /** Every strategy (JMH takes all of an enum's constants when no values are given). */
    @Param
    public Strategy strategy;

    @Param({"10", "1000", "10000"})
    public int size;

    private EndpointSet<Node> endpoints;
    private LoadBalancer balancer;
    private final CallContext[] contexts = new CallContext[KEYS];
    private int next;

    /** The simplest endpoint: always available, real statistics on the system clock. */
    static final class Node implements Endpoint {
        private final String name;
        private final int weight;
        private final EndpointStats stats;

        Node(String name, int weight, EndpointStats stats) {
            this.name = name;
            this.weight = weight;
            this.stats = stats;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public int weight() {
            return weight;
        }

        @Override
        public EndpointStats stats() {
            return stats;
        }

        @Override
        public boolean isAvailable() {
            return true;
        }
    }

    @Setup
    public void setUp() {
        Ticker ticker = Ticker.system();
        List<Node> nodes = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            EndpointStats stats = new EndpointStats(ticker, Duration.ofSeconds(10));
            stats.observe(1_000_000L + 1_000L * (i % 100), ticker.read()); // peak EWMA compares real estimates
            nodes.add(new Node("10.0." + (i / 256) + "." + (i % 256) + ":8080", 1 + i % 4, stats));
        }
        endpoints = EndpointSet.of(nodes);
        balancer = LoadBalancers.create(strategy);
        for (int k = 0; k < KEYS; k++) {
            contexts[k] = CallContext.none().with(LoadBalancers.HASH_KEY, "user-" + k);
            balancer.pick(endpoints, contexts[k], Exclusion.NONE); // builds the strategy's table outside the measurement
        }
    }

    @Benchmark
    public Endpoint pick() {
        CallContext context = contexts[next++ & (KEYS - 1)];
        return balancer.pick(endpoints, context, Exclusion.NONE);
    }
}
