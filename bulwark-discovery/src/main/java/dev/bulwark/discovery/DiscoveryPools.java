package dev.bulwark.discovery;

import dev.bulwark.internal.Check;
import dev.bulwark.pool.ClientPool;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Feeds a {@link ClientPool} from discovery: a client is created for each serving instance as it
 * appears, re-weighted when its weight changes, replaced when its address or protocol changes,
 * and removed when the instance leaves or stops serving. Build the pool with
 * {@code closeRemovedClients(true)} to close a client after its last call.
 *
 * <pre>{@code
 * ClientPool<UserClient> users = ClientPool.<UserClient>builder("users").closeRemovedClients(true).build();
 * DiscoveryPools.bind(users, discovery, "user-service", instance -> new UserClient(instance.address()));
 * }</pre>
 */
public final class DiscoveryPools {
    private DiscoveryPools() {
    }

    /** Keeps {@code pool} in step with the serving instances of {@code service}, now and after every change. */
    public static <C> void bind(ClientPool<C> pool, ServiceDiscovery discovery, String service,
            Function<ServiceInstance, ? extends C> clientFactory) {
        Binding<C> binding = new Binding<>(Check.notNull("pool", pool), Check.notNull("clientFactory", clientFactory));
        Check.notNull("discovery", discovery).watch(service, all -> binding.sync(discovery.instances(service)));
    }

    /** One pool's view of what it was last given; changes are applied one at a time. */
    private static final class Binding<C> {
        private final ClientPool<C> pool;
        private final Function<ServiceInstance, ? extends C> factory;
        private final Map<String, ServiceInstance> bound = new HashMap<>();

        Binding(ClientPool<C> pool, Function<ServiceInstance, ? extends C> factory) {
            this.pool = pool;
            this.factory = factory;
        }

        // Discovery may report changes from more than one thread (watch, resync).
        synchronized void sync(List<ServiceInstance> serving) {
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
            for (ServiceInstance instance : wanted.values()) {
                if (!bound.containsKey(instance.id())) {
                    pool.add(instance.id(), factory.apply(instance), instance.weight(), instance.metadata());
                    bound.put(instance.id(), instance);
                }
            }
        }
    }
}
