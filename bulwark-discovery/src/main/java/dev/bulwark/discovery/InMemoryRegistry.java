package dev.bulwark.discovery;

import dev.bulwark.internal.Check;
import dev.bulwark.time.Scheduler;
import dev.bulwark.time.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The embedded registry: instances in memory, TTLs enforced by a sweep on the scheduler,
 * heartbeats renewing them, and watch events delivered on the thread that made the change, in
 * order per service. The default for a single process, for tests, and for the demo.
 *
 * <pre>{@code
 * InMemoryRegistry registry = InMemoryRegistry.create();
 * registry.register(ServiceInstance.builder("users", "127.0.0.1", 8080).ttl(Duration.ofSeconds(10)).build());
 * }</pre>
 */
public final class InMemoryRegistry implements ServiceRegistry {
    private static final System.Logger LOG = System.getLogger("dev.bulwark.discovery");

    private final Scheduler scheduler;
    private final Ticker ticker;
    private final long sweepNanos;
    private final Map<String, Service> services = new ConcurrentHashMap<>();
    private volatile boolean closed;
    private volatile Scheduler.Cancellable sweep;

    private record Entry(ServiceInstance instance, long expiresAtNanos) {
    }

    /** One service's instances and watchers; changes to it are made and announced under its lock. */
    private static final class Service {
        final ReentrantLock lock = new ReentrantLock();
        final Map<String, Entry> instances = new ConcurrentHashMap<>();
        final List<WatchListener> watchers = new CopyOnWriteArrayList<>();
    }

    private InMemoryRegistry(Scheduler scheduler, Duration sweepInterval) {
        this.scheduler = scheduler;
        this.ticker = scheduler.ticker();
        this.sweepNanos = Check.nanos(sweepInterval);
        scheduleSweep();
    }

    /** A registry sweeping expired instances every second on the system scheduler. */
    public static InMemoryRegistry create() {
        return create(Scheduler.system(), Duration.ofSeconds(1));
    }

    /** A registry sweeping expired instances every {@code sweepInterval} on {@code scheduler}. */
    public static InMemoryRegistry create(Scheduler scheduler, Duration sweepInterval) {
        return new InMemoryRegistry(Check.notNull("scheduler", scheduler), Check.positive("sweepInterval", sweepInterval));
    }

    @Override
    public void register(ServiceInstance instance) {
        Check.notNull("instance", instance);
        Service service = service(instance.service());
        service.lock.lock();
        try {
            open();
            Entry previous = service.instances.put(instance.id(), new Entry(instance, expiry(instance)));
            announce(service, previous == null ? RegistryEvent.created(instance) : RegistryEvent.updated(instance));
        } finally {
            service.lock.unlock();
        }
    }

    @Override
    public void deregister(String service, String instanceId) {
        Service s = services.get(service);
        if (s == null) {
            return;
        }
        s.lock.lock();
        try {
            Entry removed = s.instances.remove(instanceId);
            if (removed != null) {
                announce(s, RegistryEvent.deleted(service, instanceId, removed.instance()));
            }
        } finally {
            s.lock.unlock();
        }
    }

    @Override
    public void update(ServiceInstance instance) {
        Check.notNull("instance", instance);
        Service service = service(instance.service());
        service.lock.lock();
        try {
            open();
            if (!service.instances.containsKey(instance.id())) {
                throw new RegistryException("cannot update " + instance.service() + "/" + instance.id() + ": not registered");
            }
            service.instances.put(instance.id(), new Entry(instance, expiry(instance)));
            announce(service, RegistryEvent.updated(instance));
        } finally {
            service.lock.unlock();
        }
    }

    @Override
    public void heartbeat(String service, String instanceId) {
        Service s = services.get(service);
        Entry entry = s == null ? null : s.instances.get(instanceId);
        if (entry == null) {
            throw new RegistryException("heartbeat for " + service + "/" + instanceId + ": not registered (expired?)");
        }
        s.instances.computeIfPresent(instanceId, (id, e) -> new Entry(e.instance(), expiry(e.instance())));
    }

    @Override
    public Optional<ServiceInstance> get(String service, String instanceId) {
        Service s = services.get(service);
        Entry entry = s == null ? null : s.instances.get(instanceId);
        return entry == null || expired(entry) ? Optional.empty() : Optional.of(entry.instance());
    }

    @Override
    public List<ServiceInstance> list(String service) {
        Service s = services.get(service);
        List<ServiceInstance> out = new ArrayList<>();
        if (s != null) {
            for (Entry e : s.instances.values()) {
                if (!expired(e)) {
                    out.add(e.instance());
                }
            }
        }
        return out;
    }

    @Override
    public Map<String, List<ServiceInstance>> listAll() {
        Map<String, List<ServiceInstance>> all = new TreeMap<>();
        for (String name : services.keySet()) {
            List<ServiceInstance> instances = list(name);
            if (!instances.isEmpty()) {
                all.put(name, instances);
            }
        }
        return all;
    }

    @Override
    public Watch watch(String service, WatchListener listener) {
        Names.check("service", service);
        Check.notNull("listener", listener);
        Service s = service(service);
        s.watchers.add(listener);
        return () -> s.watchers.remove(listener);
    }

    /** Removes every instance whose TTL has run out, announcing each; the sweep calls this. */
    public int expireNow() {
        int expired = 0;
        for (Map.Entry<String, Service> named : services.entrySet()) {
            Service s = named.getValue();
            s.lock.lock();
            try {
                for (Entry e : new ArrayList<>(s.instances.values())) {
                    if (expired(e) && s.instances.remove(e.instance().id(), e)) {
                        expired++;
                        announce(s, RegistryEvent.deleted(named.getKey(), e.instance().id(), e.instance()));
                    }
                }
            } finally {
                s.lock.unlock();
            }
        }
        return expired;
    }

    @Override
    public void close() {
        closed = true;
        Scheduler.Cancellable running = sweep;
        if (running != null) {
            running.cancel();
        }
        services.values().forEach(s -> s.watchers.clear());
    }

    private void scheduleSweep() {
        if (!closed) {
            sweep = scheduler.schedule(() -> {
                try {
                    expireNow();
                } finally {
                    scheduleSweep();
                }
            }, sweepNanos);
        }
    }

    private Service service(String name) {
        return services.computeIfAbsent(Names.check("service", name), n -> new Service());
    }

    private long expiry(ServiceInstance instance) {
        return instance.ttl().isZero() ? Long.MAX_VALUE : ticker.read() + Check.nanos(instance.ttl());
    }

    private boolean expired(Entry entry) {
        return entry.expiresAtNanos() != Long.MAX_VALUE && ticker.read() - entry.expiresAtNanos() >= 0;
    }

    private void open() {
        if (closed) {
            throw new RegistryException("registry is closed");
        }
    }

    private static void announce(Service service, RegistryEvent event) {
        for (WatchListener watcher : service.watchers) {
            try {
                watcher.onEvent(event);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "watch listener threw on " + event + "; ignored", e);
            }
        }
    }
}
