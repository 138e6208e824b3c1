package dev.bulwark.discovery;

import dev.bulwark.call.ClientPool;
import dev.bulwark.internal.Check;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Feeds a {@link ClientPool} from discovery: a client is created for each serving instance as it
 * appears, re-weighted when its weight changes, replaced when its address or protocol changes,
 * and removed when the instance leaves or stops serving. Build the pool with
 * {@code closeRemovedClients(true)} to close a client after its last call.
 *
 * <pre>{@code
 * ClientPool<URI> users = ClientPool.<URI>builder("users").closeRemovedClients(true).build();
 * DiscoveryPools.Binding binding = DiscoveryPools.bind(users, discovery, "user-service",
 *         instance -> URI.create("http://" + instance.address() + "/"));
 * }</pre>
 *
 * A client factory that throws for one instance (a host it cannot parse, say) costs only that
 * instance: it is skipped, counted in {@link Binding#factoryFailures()}, logged once per instance
 * version, and tried again when that instance next changes; every other instance joins the pool.
 */
public final class DiscoveryPools {
    private static final System.Logger LOG = System.getLogger("dev.bulwark.discovery");

    private DiscoveryPools() {
    }

    /**
     * Keeps {@code pool} in step with the serving instances of {@code service}, now and after
     * every change, until the returned binding is closed (closing leaves the pool as it is).
     */
    public static <C> Binding bind(ClientPool<C> pool, ServiceDiscovery discovery, String service,
            Function<ServiceInstance, ? extends C> clientFactory) {
        return bind(pool, discovery, service, instance -> true, clientFactory);
    }

    /**
     * As {@link #bind(ClientPool, ServiceDiscovery, String, Function)}, for the serving instances
     * {@code filter} accepts (a protocol, a zone, a version): the others are left out, not counted
     * as factory failures.
     */
    public static <C> Binding bind(ClientPool<C> pool, ServiceDiscovery discovery, String service,
            Predicate<? super ServiceInstance> filter, Function<ServiceInstance, ? extends C> clientFactory) {
        Check.notNull("discovery", discovery);
        Check.notNull("filter", filter);
        Sync<C> sync = new Sync<>(Check.notNull("pool", pool), Check.notNull("clientFactory", clientFactory));
        AutoCloseable watch = discovery.watch(service, all -> {
            List<ServiceInstance> wanted = new ArrayList<>();
            for (ServiceInstance i : discovery.instances(service)) {
                if (filter.test(i)) {
                    wanted.add(i);
                }
            }
            sync.apply(wanted);
        });
        return new Binding(sync, watch);
    }

    /** A pool kept in step with discovery; closing it stops following changes. */
    public static final class Binding implements AutoCloseable {
        private final Sync<?> sync;
        private final AutoCloseable watch;

        private Binding(Sync<?> sync, AutoCloseable watch) {
            this.sync = sync;
            this.watch = watch;
        }

        /** Instances the client factory failed for, since the binding began (each version counted once). */
        public long factoryFailures() {
            return sync.failures();
        }

        /** The ids of the instances left out because the factory failed for their current version. */
        public Set<String> skipped() {
            return sync.skipped();
        }

        @Override
        public void close() {
            sync.stop();
            try {
                watch.close();
            } catch (Exception e) {
                throw new IllegalStateException("stopping the watch failed", e);
            }
        }
    }

    /** One pool's view of what it was last given; changes are applied one at a time. */
    private static final class Sync<C> {
        private final ClientPool<C> pool;
        private final Function<ServiceInstance, ? extends C> factory;
        private final Map<String, ServiceInstance> bound = new HashMap<>();
        /** Instances whose current version the factory failed for: not retried until they change. */
        private final Map<String, ServiceInstance> failed = new HashMap<>();
        private long failures;
        private boolean stopped;

        Sync(ClientPool<C> pool, Function<ServiceInstance, ? extends C> factory) {
            this.pool = pool;
            this.factory = factory;
        }

        // Discovery may report changes from more than one thread (watch, resync).
        synchronized void apply(List<ServiceInstance> serving) {
            if (stopped) {
                return;
            }
            Map<String, ServiceInstance> wanted = new HashMap<>();
            serving.forEach(i -> wanted.put(i.id(), i));
            for (ServiceInstance old : List.copyOf(bound.values())) {
                ServiceInstance now = wanted.get(old.id());
                if (now == null || !now.address().equals(old.address()) || !now.protocol().equals(old.protocol())) {
                    pool.remove(old.id());
                    bound.remove(old.id());
                } else if (now.weight() != old.weight()) {
                    pool.reweight(now.id(), now.weight());
                    bound.put(now.id(), now);
                }
            }
            failed.keySet().retainAll(wanted.keySet());
            for (ServiceInstance instance : wanted.values()) {
                if (bound.containsKey(instance.id()) || instance.equals(failed.get(instance.id()))) {
                    continue; // bound already, or this very version failed before: wait for a change
                }
                C client;
                try {
                    client = factory.apply(instance);
                } catch (RuntimeException e) {
                    failed.put(instance.id(), instance);
                    failures++;
                    LOG.log(System.Logger.Level.WARNING, "pool '" + pool.name() + "' skips instance '" + instance.id()
                            + "' at " + instance.address() + ": its client could not be made (tried again when it changes)", e);
                    continue;
                }
                failed.remove(instance.id());
                pool.add(instance.id(), client, instance.weight(), instance.metadata());
                bound.put(instance.id(), instance);
            }
        }

        synchronized long failures() {
            return failures;
        }

        synchronized Set<String> skipped() {
            return new HashSet<>(failed.keySet());
        }

        synchronized void stop() {
            stopped = true;
        }
    }
}
