package dev.bulwark.micrometer;

import dev.bulwark.balance.EndpointStats;
import dev.bulwark.internal.Check;
import dev.bulwark.pool.ClientPool;
import dev.bulwark.pool.PoolEndpoint;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * Gauges of a {@link ClientPool}'s endpoints, read live at each scrape, tagged {@code pool} and
 * {@code endpoint}:
 * <ul>
 * <li>{@code bulwark.pool.endpoint.in.flight}: calls running on the endpoint;</li>
 * <li>{@code bulwark.pool.endpoint.breaker.state}: its breaker's state as a number, 0 closed,
 *     1 half-open, 2 open, 3 forced open, 4 disabled;</li>
 * <li>{@code bulwark.pool.endpoint.latency.ewma}: the peak-EWMA latency estimate the balancer
 *     uses, in seconds;</li>
 * <li>{@code bulwark.pool.endpoint.weight}: its weight;</li>
 * <li>{@code bulwark.pool.endpoint.breaker.rejections}: calls its breaker turned away (a counter;
 *     the pool then tries another endpoint, so these are not failed calls);</li>
 * </ul>
 * and {@code bulwark.pool.endpoints}, the number of endpoints, tagged {@code pool}.
 *
 * <p><b>Membership changes.</b> The pool announces no additions or removals, so call
 * {@link #refresh()} after changing its endpoints (e.g. from the discovery listener that changes
 * them): it registers the meters of new endpoints and removes those of endpoints gone. Until then
 * a removed endpoint's gauges read {@code NaN} and a new endpoint has none. Each gauge looks its
 * endpoint up by name in the pool, so meters never hold a removed endpoint (nor its client) in
 * memory, and an endpoint removed and added again under the same name is followed at once.
 *
 * <p>The meters hold the pool strongly, so a gauge never turns {@code NaN} because the pool was
 * collected; {@link #close()} removes them all. Thread-safe.
 */
public final class ClientPoolMeters implements MeterBinder, AutoCloseable {
    private final ClientPool<?> pool;
    private final Tags poolTags;
    private final List<MeterRegistry> registries = new ArrayList<>();
    private final BoundMeters poolMeters = new BoundMeters();
    private final Map<String, BoundMeters> endpointMeters = new HashMap<>();

    private ClientPoolMeters(ClientPool<?> pool) {
        this.pool = pool;
        this.poolTags = Tags.of(MicrometerCallRecorder.POOL_TAG, pool.name());
    }

    /** Meters for the endpoints of {@code pool}; bind them with {@link #bindTo(MeterRegistry)}. */
    public static ClientPoolMeters of(ClientPool<?> pool) {
        return new ClientPoolMeters(Check.notNull("pool", pool));
    }

    /** Registers the pool's meters and those of its current endpoints on {@code registry}. */
    @Override
    public synchronized void bindTo(MeterRegistry registry) {
        Check.notNull("registry", registry);
        registries.add(registry);
        poolMeters.add(registry, Gauge.builder("bulwark.pool.endpoints", pool, p -> p.endpoints().size())
                .description("Endpoints in the pool")
                .tags(poolTags)
                .strongReference(true)
                .register(registry));
        for (Map.Entry<String, BoundMeters> e : endpointMeters.entrySet()) {
            register(registry, e.getKey(), e.getValue());
        }
        refresh();
    }

    /**
     * Brings the meters in line with the pool's endpoints now: registers meters for endpoints
     * added since the last refresh, and removes those of endpoints removed since. Cheap when
     * nothing changed; call it whenever membership may have changed.
     */
    public synchronized void refresh() {
        Set<String> current = new HashSet<>();
        for (PoolEndpoint<?> endpoint : pool.endpoints()) {
            current.add(endpoint.name());
            if (!endpointMeters.containsKey(endpoint.name())) {
                BoundMeters meters = new BoundMeters();
                for (MeterRegistry registry : registries) {
                    register(registry, endpoint.name(), meters);
                }
                endpointMeters.put(endpoint.name(), meters);
            }
        }
        endpointMeters.entrySet().removeIf(e -> {
            if (current.contains(e.getKey())) {
                return false;
            }
            e.getValue().removeAll();
            return true;
        });
    }

    /** The names of the endpoints that have meters now. */
    public synchronized Set<String> endpoints() {
        return Set.copyOf(endpointMeters.keySet());
    }

    /** Removes every meter this binder registered, from every registry. */
    @Override
    public synchronized void close() {
        endpointMeters.values().forEach(BoundMeters::removeAll);
        endpointMeters.clear();
        poolMeters.removeAll();
        registries.clear();
    }

    private void register(MeterRegistry registry, String endpoint, BoundMeters meters) {
        Tags tags = poolTags.and(MicrometerCallRecorder.ENDPOINT_TAG, endpoint);
        meters.add(registry, Gauge.builder("bulwark.pool.endpoint.in.flight", pool,
                        live(endpoint, e -> e.stats().inFlight()))
                .description("Calls running on the endpoint now")
                .tags(tags)
                .strongReference(true)
                .register(registry));
        meters.add(registry, Gauge.builder("bulwark.pool.endpoint.breaker.state", pool,
                        live(endpoint, e -> StateCodes.code(e.breaker().state())))
                .description("The endpoint's breaker state: 0 closed, 1 half-open, 2 open, 3 forced open, 4 disabled")
                .tags(tags)
                .strongReference(true)
                .register(registry));
        meters.add(registry, TimeGauge.builder("bulwark.pool.endpoint.latency.ewma", pool, TimeUnit.NANOSECONDS,
                        live(endpoint, e -> latencyNanos(e.stats())))
                .description("The endpoint's peak-EWMA latency estimate, as the balancer sees it")
                .tags(tags)
                .strongReference(true)
                .register(registry));
        meters.add(registry, Gauge.builder("bulwark.pool.endpoint.weight", pool, live(endpoint, PoolEndpoint::weight))
                .description("The endpoint's balancing weight")
                .tags(tags)
                .strongReference(true)
                .register(registry));
        meters.add(registry, FunctionCounter.builder("bulwark.pool.endpoint.breaker.rejections", pool,
                        live(endpoint, e -> e.breaker().metrics().rejectedCalls()))
                .description("Calls the endpoint's breaker turned away; the pool then tries another endpoint")
                .tags(tags)
                .register(registry));
    }

    private static double latencyNanos(EndpointStats stats) {
        return stats.latencyNanos(stats.ticker().read());
    }

    /** Reads {@code value} of the pool's endpoint named {@code name} now, or NaN if it is gone. */
    private static ToDoubleFunction<ClientPool<?>> live(String name, ToDoubleFunction<PoolEndpoint<?>> value) {
        return p -> {
            for (PoolEndpoint<?> endpoint : p.endpoints()) {
                if (endpoint.name().equals(name)) {
                    return value.applyAsDouble(endpoint);
                }
            }
            return Double.NaN;
        };
    }
}
