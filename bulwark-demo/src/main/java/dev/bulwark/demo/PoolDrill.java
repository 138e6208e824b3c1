package dev.bulwark.demo;

import dev.bulwark.balance.Strategy;
import dev.bulwark.breaker.CircuitBreaker;
import dev.bulwark.breaker.CircuitBreakerConfig;
import dev.bulwark.breaker.CircuitBreakerListener;
import dev.bulwark.breaker.State;
import dev.bulwark.call.ClientPool;
import dev.bulwark.call.PoolEndpoint;
import dev.bulwark.call.Stages;
import dev.bulwark.discovery.DiscoveryPools;
import dev.bulwark.discovery.Registries;
import dev.bulwark.discovery.RegistryConfig;
import dev.bulwark.discovery.ServiceDiscovery;
import dev.bulwark.discovery.ServiceInstance;
import dev.bulwark.discovery.ServiceRegistry;
import dev.bulwark.micrometer.ClientPoolMeters;
import dev.bulwark.micrometer.MicrometerCallRecorder;
import dev.bulwark.testing.LatencyDistribution;
import dev.bulwark.testing.SimulatedDependency;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Five endpoints behind a client pool, one slow and one failing half its calls, called through
 * round robin and through peak EWMA at the same time: where does the traffic go, and what does the
 * caller see?
 */
final class PoolDrill {
    private static final LatencyDistribution FAST = LatencyDistribution.logNormal(Duration.ofMillis(20), Duration.ofMillis(80));
    private static final LatencyDistribution SLOW = LatencyDistribution.logNormal(Duration.ofMillis(250), Duration.ofMillis(900));

    /** One pool's run. */
    record Run(Strategy strategy, RunStats stats, List<PoolEndpoint<SimulatedDependency>> endpoints, List<String> transitions) {
    }

    private final Duration duration;
    private final int rate;
    private final long seed;
    private final RegistryConfig registryConfig;
    private final MeterRegistry meters;
    private final PrintStream out;

    PoolDrill(Duration duration, int rate, long seed, RegistryConfig registryConfig, MeterRegistry meters, PrintStream out) {
        this.duration = duration;
        this.rate = rate;
        this.seed = seed;
        this.registryConfig = registryConfig;
        this.meters = meters;
        this.out = out;
    }

    List<Run> run() throws Exception {
        out.println();
        out.println("Pool drill: 5 endpoints (e4 slow, e5 failing half its calls), " + rate + " calls/s for "
                + Report.seconds(duration) + ", round robin and peak EWMA side by side.");
        out.println("Endpoints are registered in and discovered from the " + registryConfig.type()
                + " registry" + (registryConfig.endpoints().isEmpty() ? "" : " at " + registryConfig.endpoints()) + ".");
        List<Run> runs = List.of(prepare(Strategy.ROUND_ROBIN), prepare(Strategy.PEAK_EWMA));
        ExecutorService drivers = Executors.newFixedThreadPool(runs.size());
        try (ServiceRegistry registry = Registries.create(registryConfig);
                ServiceDiscovery discovery = ServiceDiscovery.builder(registry).build()) {
            List<Future<?>> done = new ArrayList<>();
            for (Run run : runs) {
                ClientPool<SimulatedDependency> pool = pool(run, registry, discovery);
                done.add(drivers.submit(() -> {
                    new LoadGenerator(run.strategy().name().toLowerCase(Locale.ROOT), rate, duration)
                            .run(seq -> pool.call((client, endpoint, context) -> client.call()), run.stats());
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            drivers.shutdownNow();
        }
        return runs;
    }

    private Run prepare(Strategy strategy) {
        return new Run(strategy, new RunStats(), new CopyOnWriteArrayList<>(), new CopyOnWriteArrayList<>());
    }

    /**
     * Registers the five endpoints as instances of a service of their own and builds the pool from
     * discovery, as a real client would find its servers.
     */
    private ClientPool<SimulatedDependency> pool(Run run, ServiceRegistry registry, ServiceDiscovery discovery) {
        long start = System.nanoTime();
        ClientPool<SimulatedDependency> pool = ClientPool.<SimulatedDependency>builder(run.strategy().name())
                .balancer(run.strategy().create())
                .breaker(CircuitBreakerConfig.builder().failureRate(50).timeWindow(Duration.ofSeconds(5), 10).minimumCalls(10)
                        .openFor(Duration.ofSeconds(2)).halfOpenProbes(1).halfOpenSuccesses(2).build())
                .latencyDecay(Duration.ofSeconds(2))
                .stage(Stages.metrics(MicrometerCallRecorder.of(meters)))
                .build();
        ClientPoolMeters.of(pool).bindTo(meters);
        String service = "profiles-" + run.strategy().name().toLowerCase(Locale.ROOT).replace('_', '-')
                + "-" + java.util.UUID.randomUUID().toString().substring(0, 6);
        Map<String, SimulatedDependency> backends = new HashMap<>();
        for (int i = 1; i <= 5; i++) {
            backends.put("e" + i, SimulatedDependency.builder("e" + i).seed(seed + i)
                    .latency(i == 4 ? SLOW : FAST).errorRate(i == 5 ? 0.5 : 0.002).build());
            registry.register(ServiceInstance.builder(service, "127.0.0.1", 9000 + i).id("e" + i).build());
        }
        DiscoveryPools.bind(pool, discovery, service, instance -> backends.get(instance.id()));
        if (pool.endpoints().size() != 5) {
            throw new IllegalStateException("discovery found " + pool.endpoints().size() + " of 5 endpoints of " + service);
        }
        for (PoolEndpoint<SimulatedDependency> endpoint : pool.endpoints()) {
            endpoint.breaker().addListener(new CircuitBreakerListener() {
                @Override
                public void onStateTransition(CircuitBreaker breaker, State from, State to, String reason) {
                    run.transitions().add(String.format(Locale.ROOT, "%7s  %s %s -> %s (%s)",
                            Report.seconds(Duration.ofNanos(System.nanoTime() - start)), endpoint.name(), from, to, reason));
                }
            });
            run.endpoints().add(endpoint);
        }
        return pool;
    }

    void print(List<Run> runs) {
        out.println();
        out.printf(Locale.ROOT, "  %-36s", "");
        for (Run run : runs) {
            out.printf(Locale.ROOT, " %14s", label(run.strategy()));
        }
        out.println();
        for (int i = 1; i <= 5; i++) {
            String name = "e" + i;
            String note = i == 4 ? " (slow)" : i == 5 ? " (fails 50%)" : "";
            out.printf(Locale.ROOT, "  %-36s", "traffic to " + name + note);
            for (Run run : runs) {
                long calls = run.endpoints().stream().filter(e -> e.name().equals(name))
                        .mapToLong(e -> e.client().calls()).sum();
                out.printf(Locale.ROOT, " %13.1f%%", 100.0 * calls / Math.max(1, totalCalls(run)));
            }
            out.println();
        }
        row(runs, "answered", r -> String.format(Locale.ROOT, "%.1f%%", r.stats().percentOfCalls(r.stats().answered.sum())));
        row(runs, "latency p50", r -> Report.millis(r.stats().latencyQuantile(0.50)));
        row(runs, "latency p99", r -> Report.millis(r.stats().latencyQuantile(0.99)));
        for (Run run : runs) {
            out.println();
            out.println("Breaker transitions (" + label(run.strategy()) + "):");
            if (run.transitions().isEmpty()) {
                out.println("  none");
            }
            run.transitions().forEach(t -> out.println("  " + t));
        }
    }

    private static long totalCalls(Run run) {
        return run.endpoints().stream().mapToLong(e -> e.client().calls()).sum();
    }

    private void row(List<Run> runs, String label, java.util.function.Function<Run, String> value) {
        out.printf(Locale.ROOT, "  %-36s", label);
        for (Run run : runs) {
            out.printf(Locale.ROOT, " %14s", value.apply(run));
        }
        out.println();
    }

    private static String label(Strategy strategy) {
        return strategy == Strategy.PEAK_EWMA ? "peak EWMA" : "round robin";
    }
}
