package dev.bulwark.discovery.nacos;

import com.alibaba.nacos.api.naming.NamingService;
import com.alibaba.nacos.api.naming.pojo.Instance;
import dev.bulwark.discovery.ServiceInstance;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * This client's ephemeral instances, by service. Nacos (2 and later) ties ephemeral instances to
 * the client connection that published them and keeps one publication per service and
 * connection: registering a second instance of a service replaces the first. So the whole set
 * of a service's instances is published each time it changes: one instance with
 * {@code registerInstance}, several with {@code batchRegisterInstance}, none with
 * {@code deregisterInstance}. nacos-client re-publishes the last set by itself after a reconnect.
 */
final class EphemeralRegistrations {
    private final NamingService naming;
    private final NacosCalls calls;
    private final String group;
    private final String cluster;
    private final Map<String, Map<String, ServiceInstance>> byService = new ConcurrentHashMap<>();
    private final Map<String, ReentrantLock> locks = new ConcurrentHashMap<>();

    EphemeralRegistrations(NamingService naming, NacosCalls calls, String group, String cluster) {
        this.naming = naming;
        this.calls = calls;
        this.group = group;
        this.cluster = cluster;
    }

    /** Whether this client registered {@code service}/{@code instanceId}. */
    boolean owns(String service, String instanceId) {
        Map<String, ServiceInstance> own = byService.get(service);
        return own != null && own.containsKey(instanceId);
    }

    /** Publishes {@code instance} with this client's other instances of its service, replacing any of the same id. */
    void register(String what, ServiceInstance instance) {
        ReentrantLock lock = lock(instance.service());
        lock.lock();
        try {
            Map<String, ServiceInstance> next = new LinkedHashMap<>(own(instance.service()));
            next.put(instance.id(), instance);
            publish(what, instance.service(), next, null);
            byService.put(instance.service(), next);
        } finally {
            lock.unlock();
        }
    }

    /** Withdraws {@code service}/{@code instanceId} if this client registered it; returns whether it did. */
    boolean deregister(String what, String service, String instanceId) {
        ReentrantLock lock = lock(service);
        lock.lock();
        try {
            Map<String, ServiceInstance> next = new LinkedHashMap<>(own(service));
            ServiceInstance removed = next.remove(instanceId);
            if (removed == null) {
                return false;
            }
            publish(what, service, next, removed);
            if (next.isEmpty()) {
                byService.remove(service);
            } else {
                byService.put(service, next);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    private void publish(String what, String service, Map<String, ServiceInstance> instances, ServiceInstance removed) {
        List<Instance> nacos = new ArrayList<>(instances.size());
        instances.values().forEach(i -> nacos.add(InstanceMapping.toNacos(i, cluster, true)));
        if (nacos.isEmpty()) {
            Instance last = InstanceMapping.toNacos(removed, cluster, true);
            calls.run(what, () -> {
                naming.deregisterInstance(service, group, last);
                return null;
            });
        } else if (nacos.size() == 1) {
            calls.run(what, () -> {
                naming.registerInstance(service, group, nacos.get(0));
                return null;
            });
        } else {
            calls.run(what, () -> {
                naming.batchRegisterInstance(service, group, nacos);
                return null;
            });
        }
    }

    private Map<String, ServiceInstance> own(String service) {
        return byService.getOrDefault(service, Map.of());
    }

    private ReentrantLock lock(String service) {
        return locks.computeIfAbsent(service, s -> new ReentrantLock());
    }
}
