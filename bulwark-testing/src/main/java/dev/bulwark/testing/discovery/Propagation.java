package dev.bulwark.testing.discovery;

import dev.bulwark.discovery.DiscoveryCache;
import dev.bulwark.discovery.ServiceInstance;
import dev.bulwark.discovery.ServiceRegistry;
import dev.bulwark.internal.Check;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Measures how long a change takes to reach a {@link DiscoveryCache}: the time from
 * {@code register()} being called on one client to a cache built on another client seeing the new
 * instance, over many changes, on the real clock.
 */
public final class Propagation {

    /** The measured delays. */
    public record Result(String registry, int changes, long p50Nanos, long p99Nanos, long maxNanos) {
        /** A row of BENCHMARKS.md's propagation table. */
        public String markdownRow() {
            return String.format(Locale.ROOT, "| %s | %d | %.2f | %.2f | %.2f |", registry, changes,
                    p50Nanos / 1e6, p99Nanos / 1e6, maxNanos / 1e6);
        }
    }

    private Propagation() {
    }

    /**
     * Registers {@code changes} instances one after another through {@code writer} and times each
     * until a cache reading through {@code reader} holds it. The cache resyncs rarely, so what is
     * measured is the watch.
     */
    public static Result measure(String name, ServiceRegistry writer, ServiceRegistry reader, int changes)
            throws InterruptedException {
        Check.positive("changes", changes);
        String service = "propagation-" + UUID.randomUUID().toString().substring(0, 8);
        ConcurrentHashMap<String, CountDownLatch> awaited = new ConcurrentHashMap<>();
        try (DiscoveryCache cache = DiscoveryCache.builder(reader, service).resyncEvery(Duration.ofMinutes(10)).build()) {
            cache.addListener(instances -> instances.forEach(i -> {
                CountDownLatch seen = awaited.get(i.id());
                if (seen != null) {
                    seen.countDown();
                }
            }));
            cache.start();
            long[] delays = new long[changes];
            for (int n = 0; n < changes; n++) {
                ServiceInstance instance = ServiceInstance.builder(service, "127.0.0.1", 10_000 + n % 50_000)
                        .id("i-" + n).build();
                CountDownLatch seen = new CountDownLatch(1);
                awaited.put(instance.id(), seen);
                long start = System.nanoTime();
                writer.register(instance);
                if (!seen.await(30, TimeUnit.SECONDS)) {
                    throw new IllegalStateException(name + ": change " + n + " not seen within 30 s");
                }
                delays[n] = System.nanoTime() - start;
                awaited.remove(instance.id());
            }
            for (int n = 0; n < changes; n++) {
                writer.deregister(service, "i-" + n);
            }
            Arrays.sort(delays);
            return new Result(name, changes, delays[changes / 2], delays[(int) Math.ceil(changes * 0.99) - 1],
                    delays[changes - 1]);
        }
    }
}
