package dev.bulwark.discovery;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where services register their instances and find each other's. Implementations: the embedded
 * {@link InMemoryRegistry}, and etcd, ZooKeeper, Consul and Nacos in their own modules. Every
 * implementation passes the same contract suite ({@code dev.bulwark.testing.discovery.RegistryContract}).
 *
 * <p>Methods throw {@link RegistryException} when the registry cannot be reached or refuses; they
 * never return partial data as if it were complete. Implementations are thread-safe.
 */
public interface ServiceRegistry extends AutoCloseable {

    /**
     * Registers {@code instance}, replacing any with the same service and id. An instance with a
     * TTL expires unless {@link #heartbeat(String, String) renewed} in time; backends that keep
     * registrations alive themselves (leases, sessions) do so until {@link #deregister}.
     */
    void register(ServiceInstance instance);

    /** Removes an instance; removing one that is not there is not an error. */
    void deregister(String service, String instanceId);

    /** Replaces a registered instance's data. @throws RegistryException if it is not registered */
    void update(ServiceInstance instance);

    /** Renews an instance's TTL. @throws RegistryException if it is not registered (it expired) */
    void heartbeat(String service, String instanceId);

    Optional<ServiceInstance> get(String service, String instanceId);

    /** Every registered instance of {@code service}, healthy or not, in no particular order. */
    List<ServiceInstance> list(String service);

    /** Every registered instance by service. */
    Map<String, List<ServiceInstance>> listAll();

    /**
     * Reports every later change to {@code service}'s instances to {@code listener} until the watch
     * is closed, surviving disconnects (see {@link WatchListener#onResumed(boolean)}).
     */
    Watch watch(String service, WatchListener listener);

    /** Releases connections and stops every watch. Own registrations with TTLs or sessions lapse. */
    @Override
    void close();
}
