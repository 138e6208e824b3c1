package dev.bulwark.micrometer;

import dev.bulwark.balance.EndpointStats;
import dev.bulwark.internal.Check;
import dev.bulwark.call.ClientPool;
import dev.bulwark.call.PoolEndpoint;
import dev.bulwark.call.PoolListener;
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
 * <p><b>Membership changes.</b> The meters follow the pool: once bound, they listen to it, so an
 * endpoint added gets its meters at once and one removed loses them. With
 * {@link #forgetting(MicrometerCallRecorder)} the call meters of a removed endpoint go too, once
 * its last call has finished. Each gauge looks its endpoint up by name in the pool, so meters never
 * hold a removed endpoint (nor its client) in memory.
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
    private final List<MicrometerCallRecorder> recorders = new ArrayList<>();
    private final PoolListener<Object> follower = new PoolListener<>() {
        @Override
        public void onAdded(ClientPool<Object> p, PoolEndpoint<Object> endpoint) {
            refresh();
        }

        @Override
        public void onRemoved(ClientPool<Object> p, PoolEndpoint<Object> endpoint) {
            refresh();
            endpoint.drained().thenRun(() -> forgetCalls(endpoint.name()));
        }
    };
    private boolean following;

    private ClientPoolMeters(ClientPool<?> pool) {
        this.pool = pool;
        this.poolTags = Tags.of(MicrometerCallRecorder.POOL_TAG, pool.name());
    }

    /** Meters for the endpoints of {@code pool}; bind them with {@link #bindTo(MeterRegistry)}. */
    public static ClientPoolMeters of(ClientPool<?> pool) {
        return new ClientPoolMeters(Check.notNull("pool", pool));
    }

    /**
     * Also drops {@code recorder}'s call meters of each endpoint removed from the pool, once the
     * endpoint's last call has finished.
     */
    public synchronized ClientPoolMeters forgetting(MicrometerCallRecorder recorder) {
        recorders.add(Check.notNull("recorder", recorder));
        return this;
    }

    private synchronized void forgetCalls(String endpoint) {
        if (pool.endpoint(endpoint).isPresent()) {
            return; // added again under the same name meanwhile: its meters are live
        }
        for (MicrometerCallRecorder recorder : recorders) {
            recorder.forget(pool.name(), endpoint);
        }
    }

    /** Registers the pool's meters and those of its current endpoints on {@code registry}. */
    @Override
    public synchronized void bindTo(MeterRegistry registry) {
        Check.notNull("registry", registry);
        registries.add(registry);
        poolMeters.gauge(registry, "bulwark.pool.endpoints", pool, p -> p.endpoints().size(),
                "Endpoints in the pool", poolTags);
        for (Map.Entry<String, BoundMeters> e : endpointMeters.entrySet()) {
            register(registry, e.getKey(), e.getValue());
        }
        if (!following) {
            following = true;
            follow(pool);
        }
        refresh();
    }

    @SuppressWarnings("unchecked")
    private <C> void follow(ClientPool<C> p) {
        p.addListener((PoolListener<C>) (PoolListener<?>) follower);
    }

    @SuppressWarnings("unchecked")
    private <C> void unfollow(ClientPool<C> p) {
        p.removeListener((PoolListener<C>) (PoolListener<?>) follower);
    }

    /** Brings the meters in line with the pool's endpoints now; the pool's listener calls it on every change. */
    synchronized void refresh() {
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
        if (following) {
            unfollow(pool);
            following = false;
        }
        endpointMeters.values().forEach(BoundMeters::removeAll);
        endpointMeters.clear();
        poolMeters.removeAll();
        registries.clear();
    }

    private void register(MeterRegistry registry, String endpoint, BoundMeters meters) {
        Tags tags = poolTags.and(MicrometerCallRecorder.ENDPOINT_TAG, endpoint);
        meters.gauge(registry, "bulwark.pool.endpoint.in.flight", pool, live(endpoint, e -> e.stats().inFlight()),
                "Calls running on the endpoint now", tags);
        meters.gauge(registry, "bulwark.pool.endpoint.breaker.state", pool, live(endpoint, e -> StateCodes.code(e.breaker().state())),
                "The endpoint's breaker state: 0 closed, 1 half-open, 2 open, 3 forced open, 4 disabled", tags);
        meters.timeGauge(registry, "bulwark.pool.endpoint.latency.ewma", pool, live(endpoint, e -> latencyNanos(e.stats())),
                "The endpoint's peak-EWMA latency estimate, as the balancer sees it", tags);
        meters.gauge(registry, "bulwark.pool.endpoint.weight", pool, live(endpoint, PoolEndpoint::weight),
                "The endpoint's balancing weight", tags);
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
