package dev.bulwark.demo;

import dev.bulwark.CallFailedException;
import dev.bulwark.breaker.CircuitBreaker;
import dev.bulwark.breaker.CircuitBreakerConfig;
import dev.bulwark.breaker.CircuitBreakerListener;
import dev.bulwark.breaker.State;
import dev.bulwark.call.PoolEndpoint;
import dev.bulwark.discovery.InMemoryRegistry;
import dev.bulwark.discovery.ServiceDiscovery;
import dev.bulwark.http.ServiceClient;
import dev.bulwark.http.ServiceRequest;
import dev.bulwark.http.test.TestHttpServer;
import dev.bulwark.micrometer.HttpClientMeters;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.PrintStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Real HTTP services on loopback, found through the in-memory registry: of three instances one
 * answers every call 503 and another is killed two thirds of the way in. A bare {@code java.net.http}
 * client (round robin over the three addresses) and Bulwark's service client each call their own
 * three, at the same rate, side by side.
 */
final class HttpDrill {
    private static final long DEADLINE_MS = 1000;

    /** One client's run and the three servers it calls. */
    record Run(String label, RunStats stats, List<TestHttpServer> servers, LongAdder failedAfterDeath, List<String> transitions) {
    }

    private final Duration duration;
    private final int rate;
    private final MeterRegistry meters;
    private final PrintStream out;

    HttpDrill(Duration duration, int rate, MeterRegistry meters, PrintStream out) {
        this.duration = duration;
        this.rate = rate;
        this.meters = meters;
        this.out = out;
    }

    void run() throws Exception {
        out.println();
        out.println("HTTP drill: 3 service instances on loopback (h2 answers 503, h3 is killed at "
                + Report.seconds(duration.multipliedBy(2).dividedBy(3)) + "), " + rate + " calls/s for " + Report.seconds(duration)
                + ", limit " + DEADLINE_MS + " ms,");
        out.println("a bare java.net.http round-robin client and Bulwark's service client, each with its own three.");
        Run bare = new Run("bare java.net.http", new RunStats(), servers("bare"), new LongAdder(), List.of());
        Run bulwark = new Run("Bulwark", new RunStats(), servers("bulwark"), new LongAdder(), new CopyOnWriteArrayList<>());
        InMemoryRegistry registry = InMemoryRegistry.create();
        bulwark.servers().forEach(s -> s.register(registry, "catalog"));
        long start = System.nanoTime();
        long killAt = start + duration.multipliedBy(2).dividedBy(3).toNanos();
        ExecutorService drivers = Executors.newFixedThreadPool(3);
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(DEADLINE_MS)).build();
        try (ServiceDiscovery discovery = ServiceDiscovery.builder(registry).build();
                ServiceClient client = HttpClientMeters.create(meters).applyTo(ServiceClient.builder(discovery))
                        .timeout(Duration.ofMillis(DEADLINE_MS))
                        .instanceBreaker(CircuitBreakerConfig.builder().consecutiveFailures(3).openFor(Duration.ofSeconds(2)).build())
                        .build()) {
            client.get("catalog", "/echo"); // the pool is made and follows discovery from here on
            for (PoolEndpoint<URI> e : client.endpoints("catalog")) {
                e.breaker().addListener(new CircuitBreakerListener() {
                    @Override
                    public void onStateTransition(CircuitBreaker breaker, State from, State to, String reason) {
                        bulwark.transitions().add(String.format(Locale.ROOT, "%7s  %s %s -> %s (%s)",
                                Report.seconds(Duration.ofNanos(System.nanoTime() - start)), e.name(), from, to, reason));
                    }
                });
            }
            AtomicInteger next = new AtomicInteger();
            List<Future<?>> done = new ArrayList<>();
            done.add(drivers.submit(() -> {
                new LoadGenerator(bare.label(), rate, duration).run(seq -> {
                    TestHttpServer target = bare.servers().get(Math.floorMod(next.getAndIncrement(), 3));
                    HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + target.address() + "/echo"))
                            .timeout(Duration.ofMillis(DEADLINE_MS)).build();
                    try {
                        HttpResponse<byte[]> response = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
                        if (response.statusCode() >= 400) {
                            throw new IllegalStateException("status " + response.statusCode());
                        }
                    } catch (ConnectException e) {
                        if (System.nanoTime() - killAt >= 0) {
                            bare.failedAfterDeath().increment();
                        }
                        throw e;
                    }
                }, bare.stats());
                return null;
            }));
            done.add(drivers.submit(() -> {
                new LoadGenerator(bulwark.label(), rate, duration).run(seq -> {
                    try {
                        client.send(ServiceRequest.get("catalog", "/echo").build());
                    } catch (CallFailedException e) {
                        if (e.getCause() instanceof ConnectException && System.nanoTime() - killAt >= 0) {
                            bulwark.failedAfterDeath().increment();
                        }
                        throw e;
                    }
                }, bulwark.stats());
                return null;
            }));
            done.add(drivers.submit(() -> {
                long wait = killAt - System.nanoTime();
                if (wait > 0) {
                    TimeUnit.NANOSECONDS.sleep(wait);
                }
                bare.servers().get(2).close();
                bulwark.servers().get(2).close();
                return null;
            }));
            for (Future<?> f : done) {
                f.get();
            }
            print(List.of(bare, bulwark));
        } finally {
            drivers.shutdownNow();
            bare.servers().forEach(TestHttpServer::close);
            bulwark.servers().forEach(TestHttpServer::close);
        }
    }

    private static List<TestHttpServer> servers(String client) {
        List<TestHttpServer> trio = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            trio.add(TestHttpServer.start("h" + i));
        }
        trio.get(1).failAll(503);
        return trio;
    }

    private void print(List<Run> runs) {
        SideBySide<Run> table = new SideBySide<>(out, runs, Run::label).outcomes(Run::stats);
        for (int i = 0; i < 3; i++) {
            int index = i;
            String note = i == 1 ? " (answers 503)" : i == 2 ? " (killed)" : "";
            table.row("calls reaching h" + (i + 1) + note, r -> String.valueOf(r.servers().get(index).calls()));
        }
        table.row("refused connections after h3 died", r -> String.valueOf(r.failedAfterDeath().sum()));
        out.println();
        out.println("Breaker transitions (Bulwark, one breaker per instance):");
        List<String> transitions = runs.get(1).transitions();
        if (transitions.isEmpty()) {
            out.println("  none");
        }
        transitions.forEach(t -> out.println("  " + t));
    }
}
