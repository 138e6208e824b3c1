package dev.bulwark.grpc.internal;

import dev.bulwark.grpc.server.ServerStats;
import io.grpc.Attributes;
import io.grpc.ServerTransportFilter;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/** A server's counters, fed by its interceptor and transport filter, read as a {@link ServerStats}. */
public final class ServerMetrics extends ServerTransportFilter {
    private final long startNanos = System.nanoTime();
    private final LongAdder calls = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicInteger connections = new AtomicInteger();
    private final Map<String, LongAdder> rejections = new ConcurrentHashMap<>();
    private final LatencyHistogram latency = new LatencyHistogram();

    void started() {
        active.incrementAndGet();
    }

    /** A handled call ended. */
    void ended(boolean ok, long nanos) {
        active.decrementAndGet();
        calls.increment();
        if (!ok) {
            errors.increment();
        }
        latency.record(nanos);
    }

    /** A call (or a connection, with reason {@code connections}) was refused. */
    public void rejected(String reason) {
        rejections.computeIfAbsent(reason, r -> new LongAdder()).increment();
        if (!reason.equals("connections")) {
            calls.increment();
            errors.increment();
        }
    }

    @Override
    public Attributes transportReady(Attributes attributes) {
        connections.incrementAndGet();
        return attributes;
    }

    @Override
    public void transportTerminated(Attributes attributes) {
        connections.decrementAndGet();
    }

    public int activeCalls() {
        return active.get();
    }

    public ServerStats snapshot() {
        Map<String, Long> refused = new TreeMap<>();
        rejections.forEach((reason, n) -> refused.put(reason, n.sum()));
        long total = calls.sum();
        double seconds = Math.max(1e-9, (System.nanoTime() - startNanos) / 1e9);
        return new ServerStats(total, errors.sum(), active.get(), connections.get(), Map.copyOf(refused),
                latency.quantileNanos(0.50), latency.quantileNanos(0.99), total / seconds);
    }
}
