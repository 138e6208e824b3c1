package dev.bulwark.registry;

import dev.bulwark.internal.Check;
import dev.bulwark.internal.Listeners;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Named policy instances of one kind (breakers, bulkheads, ...), created on first use and
 * reconfigured live.
 *
 * <p>{@link #get(String)} returns the instance for a name, creating it from the name's config
 * (set by {@link #configure(String, Object)}) or the registry's default. {@link #apply(String, Object)}
 * gives a name a new config and, if its instance exists, applies the config to that live instance,
 * which keeps its state (an open breaker stays open): instances are never swapped out from under
 * the code holding them.
 *
 * <pre>{@code
 * PolicyRegistry<CircuitBreaker, CircuitBreakerConfig> breakers = CircuitBreakers.registry(CircuitBreakerConfig.defaults());
 * String user = breakers.get("grpc:user-service").call(() -> "user-42");
 * CircuitBreakerConfig stricter = CircuitBreakerConfig.builder().consecutiveFailures(2).build();
 * breakers.apply("grpc:user-service", stricter);   // live, keeps state
 * }</pre>
 *
 * @param <P> the policy type
 * @param <C> its config type
 */
public final class PolicyRegistry<P, C> {

    /** How to make and reconfigure one kind of policy. */
    public interface Kind<P, C> {
        P create(String name, C config);

        void reconfigure(P policy, C config);
    }

    /** Observes a registry. Callbacks run on the thread that changed it. */
    public interface Listener<P, C> {
        default void onAdded(String name, P policy) {
        }

        default void onReconfigured(String name, P policy, C config) {
        }

        default void onRemoved(String name, P policy) {
        }
    }

    private static final System.Logger LOG = System.getLogger("dev.bulwark.registry");

    private final Kind<P, C> kind;
    private volatile C defaultConfig;
    /** Serialises creation with config changes, so no instance is made from a config being replaced. */
    private final Object changes = new Object();
    private final Map<String, C> configs = new ConcurrentHashMap<>();
    private final Map<String, P> instances = new ConcurrentHashMap<>();
    @SuppressWarnings({"unchecked", "rawtypes"})
    private final Listeners<Listener<P, C>> listeners = new Listeners(Listener.class);

    private PolicyRegistry(C defaultConfig, Kind<P, C> kind) {
        this.defaultConfig = Check.notNull("defaultConfig", defaultConfig);
        this.kind = Check.notNull("kind", kind);
    }

    /** A registry creating instances of {@code kind}, from {@code defaultConfig} unless a name has its own. */
    public static <P, C> PolicyRegistry<P, C> of(C defaultConfig, Kind<P, C> kind) {
        return new PolicyRegistry<>(defaultConfig, kind);
    }

    /** The instance named {@code name}, created from its config on first use. */
    public P get(String name) {
        Check.name("name", name);
        P existing = instances.get(name);
        if (existing != null) {
            return existing;
        }
        boolean[] created = {false};
        P policy;
        synchronized (changes) {
            policy = instances.computeIfAbsent(name, n -> {
                created[0] = true;
                return kind.create(n, configOf(n));
            });
        }
        if (created[0]) {
            tell(l -> l.onAdded(name, policy));
        }
        return policy;
    }

    /** The instance named {@code name} if it exists. */
    public Optional<P> find(String name) {
        return Optional.ofNullable(instances.get(name));
    }

    /** Sets the config a name's instance will be created with, without touching a live instance. */
    public void configure(String name, C config) {
        configs.put(Check.name("name", name), Check.notNull("config", config));
    }

    /**
     * Gives {@code name} a new config and applies it to the live instance, keeping its state;
     * creates the instance if it does not exist yet.
     */
    public P apply(String name, C config) {
        P existing;
        synchronized (changes) {
            configure(name, config);
            existing = instances.get(name);
            if (existing != null) {
                kind.reconfigure(existing, config);
            }
        }
        if (existing == null) {
            return get(name);
        }
        P reconfigured = existing;
        tell(l -> l.onReconfigured(name, reconfigured, config));
        return existing;
    }

    /**
     * Makes {@code config} the default: names without a config of their own are created from it
     * from now on, and their live instances take it at once, keeping their state (an open breaker
     * stays open).
     */
    public void applyDefault(C config) {
        Check.notNull("config", config);
        Map<String, P> changed = new java.util.LinkedHashMap<>();
        synchronized (changes) {
            defaultConfig = config;
            for (Map.Entry<String, P> e : instances.entrySet()) {
                if (!configs.containsKey(e.getKey())) {
                    kind.reconfigure(e.getValue(), config);
                    changed.put(e.getKey(), e.getValue());
                }
            }
        }
        changed.forEach((name, policy) -> {
            tell(l -> l.onReconfigured(name, policy, config));
        });
    }

    /**
     * Drops {@code name}'s own config: it follows the default again, and its live instance, if
     * any, takes the default at once, keeping its state. Returns whether it had a config of its own.
     */
    public boolean useDefault(String name) {
        Check.name("name", name);
        P existing;
        C config;
        synchronized (changes) {
            if (configs.remove(name) == null) {
                return false;
            }
            config = defaultConfig;
            existing = instances.get(name);
            if (existing != null) {
                kind.reconfigure(existing, config);
            }
        }
        if (existing != null) {
            P reconfigured = existing;
            tell(l -> l.onReconfigured(name, reconfigured, config));
        }
        return true;
    }

    /** The config names without their own are created from. */
    public C defaultConfig() {
        return defaultConfig;
    }

    /** The config {@code name} was given of its own; empty when it follows the default. */
    public Optional<C> ownConfig(String name) {
        return Optional.ofNullable(configs.get(name));
    }

    /**
     * Tells every listener; one that throws is logged and the others are still told, so a faulty
     * listener never undoes or hides a change already made.
     */
    private void tell(java.util.function.Consumer<Listener<P, C>> event) {
        for (Listener<P, C> l : listeners.all()) {
            try {
                event.accept(l);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "a policy registry listener threw; ignored", e);
            }
        }
    }

    /** The config {@code name} has or would be created with. */
    public C configOf(String name) {
        return configs.getOrDefault(name, defaultConfig);
    }

    /** Forgets {@code name}'s instance and config; returns whether an instance was removed. */
    public boolean remove(String name) {
        configs.remove(name);
        P removed = instances.remove(name);
        if (removed != null) {
            tell(l -> l.onRemoved(name, removed));
        }
        return removed != null;
    }

    /** The names of the live instances, sorted. */
    public Set<String> names() {
        return new TreeSet<>(instances.keySet());
    }

    /** A read-only view of the live instances by name. */
    public Map<String, P> instances() {
        return java.util.Collections.unmodifiableMap(instances);
    }

    public void addListener(Listener<P, C> listener) {
        listeners.add(Check.notNull("listener", listener));
    }

    public void removeListener(Listener<P, C> listener) {
        listeners.remove(listener);
    }
}
