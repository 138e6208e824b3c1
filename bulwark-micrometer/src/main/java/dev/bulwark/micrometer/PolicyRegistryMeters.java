package dev.bulwark.micrometer;

import dev.bulwark.breaker.CircuitBreaker;
import dev.bulwark.bulkhead.Bulkhead;
import dev.bulwark.internal.Check;
import dev.bulwark.registry.PolicyRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Binds the meters of every instance of a {@link PolicyRegistry}: those it holds now and those it
 * creates later, and removes an instance's meters when the registry removes it.
 *
 * <pre>{@code
 * PolicyRegistry<CircuitBreaker, CircuitBreakerConfig> breakers = CircuitBreakers.registry(CircuitBreakerConfig.defaults());
 * PolicyRegistryMeters.breakers(breakers).bindTo(meterRegistry);
 * breakers.get("http:payment-api");   // its meters appear now
 * }</pre>
 *
 * A reconfigured instance keeps its meters: they read the live instance. {@link #close()} stops
 * following the registry and removes every meter bound through it. Thread-safe.
 *
 * @param <P> the policy type
 */
public final class PolicyRegistryMeters<P> implements MeterBinder, AutoCloseable {
    private final PolicyRegistry<P, ?> policies;
    private final Function<? super P, ? extends MeterBinder> binderOf;
    private final Follower listener = new Follower();
    private final List<MeterRegistry> registries = new ArrayList<>();
    private final Map<P, MeterBinder> bound = new IdentityHashMap<>();
    private boolean listening;

    private PolicyRegistryMeters(PolicyRegistry<P, ?> policies, Function<? super P, ? extends MeterBinder> binderOf) {
        this.policies = policies;
        this.binderOf = binderOf;
    }

    /** Binds a {@link CircuitBreakerMeters} for every breaker of {@code breakers}. */
    public static PolicyRegistryMeters<CircuitBreaker> breakers(PolicyRegistry<CircuitBreaker, ?> breakers) {
        return of(breakers, CircuitBreakerMeters::of);
    }

    /** Binds a {@link BulkheadMeters} for every bulkhead of {@code bulkheads}. */
    public static PolicyRegistryMeters<Bulkhead> bulkheads(PolicyRegistry<Bulkhead, ?> bulkheads) {
        return of(bulkheads, BulkheadMeters::of);
    }

    /**
     * Binds {@code binderOf(instance)} for every instance of {@code policies}. When the registry
     * removes an instance, its binder's meters are removed if the binder is {@link AutoCloseable}
     * (every binder of this package is).
     */
    public static <P> PolicyRegistryMeters<P> of(PolicyRegistry<P, ?> policies, Function<? super P, ? extends MeterBinder> binderOf) {
        return new PolicyRegistryMeters<>(Check.notNull("policies", policies), Check.notNull("binderOf", binderOf));
    }

    @Override
    public synchronized void bindTo(MeterRegistry registry) {
        Check.notNull("registry", registry);
        registries.add(registry);
        for (MeterBinder binder : bound.values()) {
            binder.bindTo(registry);
        }
        if (!listening) {
            // Listen first, then sweep: an instance created in between is seen by both, and added once.
            listen(policies);
            listening = true;
        }
        for (Map.Entry<String, P> instance : policies.instances().entrySet()) {
            added(instance.getKey(), instance.getValue());
        }
    }

    /** Stops following the registry and removes every meter bound through this binder. */
    @Override
    public synchronized void close() {
        if (listening) {
            unlisten(policies);
            listening = false;
        }
        for (MeterBinder binder : bound.values()) {
            closeBinder(binder);
        }
        bound.clear();
        registries.clear();
    }

    /** How many instances have meters now. */
    public synchronized int boundCount() {
        return bound.size();
    }

    private synchronized void added(String name, P policy) {
        // The registry announces an addition after making it, so a removal racing with it may be
        // announced first: bind only what the registry still holds.
        if (registries.isEmpty() || bound.containsKey(policy) || policies.find(name).orElse(null) != policy) {
            return;
        }
        MeterBinder binder = binderOf.apply(policy);
        for (MeterRegistry registry : registries) {
            binder.bindTo(registry);
        }
        bound.put(policy, binder);
    }

    private synchronized void removed(P policy) {
        MeterBinder binder = bound.remove(policy);
        if (binder != null) {
            closeBinder(binder);
        }
    }

    private static void closeBinder(MeterBinder binder) {
        if (binder instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                System.getLogger("dev.bulwark.micrometer").log(System.Logger.Level.WARNING,
                        "closing meter binder " + binder + " failed", e);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private <C> void listen(PolicyRegistry<P, C> registry) {
        registry.addListener((PolicyRegistry.Listener<P, C>) (PolicyRegistry.Listener<P, ?>) listener);
    }

    @SuppressWarnings("unchecked")
    private <C> void unlisten(PolicyRegistry<P, C> registry) {
        registry.removeListener((PolicyRegistry.Listener<P, C>) (PolicyRegistry.Listener<P, ?>) listener);
    }

    /** Follows the registry: binds what it adds, unbinds what it removes. */
    private final class Follower implements PolicyRegistry.Listener<P, Object> {
        @Override
        public void onAdded(String name, P policy) {
            added(name, policy);
        }

        @Override
        public void onRemoved(String name, P policy) {
            removed(policy);
        }
    }
}
