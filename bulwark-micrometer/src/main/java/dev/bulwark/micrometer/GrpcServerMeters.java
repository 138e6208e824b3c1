package dev.bulwark.micrometer;

import dev.bulwark.grpc.server.BulwarkServer;
import dev.bulwark.grpc.server.ServerStats;
import dev.bulwark.internal.Check;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.List;

/**
 * Meters of one {@link BulwarkServer}, tagged {@code name}: counters {@code bulwark.grpc.server.calls}
 * and {@code bulwark.grpc.server.errors}, {@code bulwark.grpc.server.rejections} by {@code reason}
 * ({@code rate}, {@code concurrency}, {@code connections}; the per-method and per-key kinds counted
 * under their kind), gauges {@code bulwark.grpc.server.active.calls},
 * {@code bulwark.grpc.server.active.connections}, {@code bulwark.grpc.server.latency.p50} and
 * {@code .p99} (time gauges), and the pooled buffer memory {@code bulwark.grpc.server.buffers.used}
 * by {@code kind} (direct, heap). Needs bulwark-grpc on the class path. Thread-safe.
 */
public final class GrpcServerMeters implements MeterBinder, AutoCloseable {
    private static final List<String> REASONS = List.of("rate", "concurrency", "connections");

    private final BulwarkServer server;
    private final Tags tags;
    private final BoundMeters meters = new BoundMeters();

    private GrpcServerMeters(BulwarkServer server, String name) {
        this.server = server;
        this.tags = Tags.of(CircuitBreakerMeters.NAME_TAG, name);
    }

    /** Meters for {@code server}, tagged with {@code name}; bind them with {@link #bindTo(MeterRegistry)}. */
    public static GrpcServerMeters of(BulwarkServer server, String name) {
        return new GrpcServerMeters(Check.notNull("server", server), Check.name("name", name));
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Check.notNull("registry", registry);
        meters.add(registry, FunctionCounter.builder("bulwark.grpc.server.calls", server, s -> s.stats().calls())
                .description("Calls that ended, handled or refused").tags(tags).register(registry));
        meters.add(registry, FunctionCounter.builder("bulwark.grpc.server.errors", server, s -> s.stats().errors())
                .description("Calls that ended with a status other than OK, refusals included").tags(tags).register(registry));
        for (String reason : REASONS) {
            meters.add(registry, FunctionCounter.builder("bulwark.grpc.server.rejections", server, s -> rejections(s.stats(), reason))
                    .description("Calls (or connections) refused before their handler, by the kind of limit")
                    .tags(tags.and("reason", reason)).register(registry));
        }
        meters.gauge(registry, "bulwark.grpc.server.active.calls", server, s -> s.activeCalls(), "Calls being handled now", tags);
        meters.gauge(registry, "bulwark.grpc.server.active.connections", server, s -> s.stats().activeConnections(),
                "Connections open now", tags);
        meters.timeGauge(registry, "bulwark.grpc.server.latency.p50", server, s -> s.stats().p50Nanos(),
                "Median latency of handled calls since start", tags);
        meters.timeGauge(registry, "bulwark.grpc.server.latency.p99", server, s -> s.stats().p99Nanos(),
                "99th percentile latency of handled calls since start", tags);
        meters.gauge(registry, "bulwark.grpc.server.buffers.used", server, s -> s.bufferStats().usedDirectBytes(),
                "Pooled buffer memory held", tags.and("kind", "direct"));
        meters.gauge(registry, "bulwark.grpc.server.buffers.used", server, s -> s.bufferStats().usedHeapBytes(),
                "Pooled buffer memory held", tags.and("kind", "heap"));
    }

    private static double rejections(ServerStats stats, String reason) {
        return stats.rejections().entrySet().stream()
                .filter(e -> e.getKey().equals(reason) || e.getKey().startsWith(reason + ":"))
                .mapToLong(java.util.Map.Entry::getValue).sum();
    }

    /** Removes every meter this binder registered, from every registry. */
    @Override
    public void close() {
        meters.removeAll();
    }
}
