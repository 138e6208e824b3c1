package dev.bulwark.grpc.internal;

import dev.bulwark.discovery.Health;
import dev.bulwark.discovery.RegistryException;
import dev.bulwark.discovery.ServiceInstance;
import dev.bulwark.discovery.ServiceRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A server's instances in a registry, kept there while it runs: registered at start (and again
 * whenever the registry lost them: expired after an outage longer than the TTL, or never reached),
 * heartbeats for those with a TTL, health changes published, all removed by a drain.
 */
public final class Registrations {
    private static final Logger LOG = Logger.getLogger(Registrations.class.getName());

    private final ServiceRegistry registry;
    private final ScheduledExecutorService timer;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private ScheduledFuture<?> upkeep;
    /** Guards the registry calls, so a drain's deregistration never races an upkeep's re-registration. */
    private final Object lock = new Object();
    private boolean closed;

    private static final class Entry {
        volatile ServiceInstance instance;
        volatile boolean registered;

        Entry(ServiceInstance instance) {
            this.instance = instance;
        }
    }

    public Registrations(ServiceRegistry registry, ScheduledExecutorService timer) {
        this.registry = registry;
        this.timer = timer;
    }

    /** Registers {@code instances} and keeps them registered. */
    public void start(List<ServiceInstance> instances) {
        Duration every = Duration.ofSeconds(5);
        for (ServiceInstance i : instances) {
            Entry e = new Entry(i);
            entries.put(i.service(), e);
            register(e);
            if (!i.ttl().isZero() && i.ttl().dividedBy(3).compareTo(every) < 0) {
                every = i.ttl().dividedBy(3);
            }
        }
        long millis = Math.max(10, every.toMillis());
        upkeep = timer.scheduleWithFixedDelay(this::keepUp, millis, millis, TimeUnit.MILLISECONDS);
    }

    /** Publishes a change of health for the instance registered under {@code service}. */
    public void health(String service, Health health) {
        Entry e = entries.get(service);
        if (e == null || e.instance.health() == health) {
            return;
        }
        synchronized (lock) {
            if (closed) {
                return;
            }
            e.instance = e.instance.withHealth(health);
            if (e.registered) {
                try {
                    registry.update(e.instance);
                } catch (RuntimeException failed) {
                    LOG.log(Level.WARNING, "cannot publish " + service + " as " + health + "; retrying: " + failed.getMessage());
                    e.registered = false;
                }
            }
        }
    }

    /** Stops the upkeep and removes every instance; returns how many were removed. */
    public int deregisterAll() {
        if (upkeep != null) {
            upkeep.cancel(false);
        }
        synchronized (lock) {
            closed = true; // an upkeep running now finishes first, and none registers anything again
            int removed = 0;
            for (Entry e : entries.values()) {
                try {
                    registry.deregister(e.instance.service(), e.instance.id());
                    removed++;
                } catch (RuntimeException failed) {
                    LOG.log(Level.WARNING, "cannot deregister " + e.instance + ": " + failed.getMessage()
                            + " (its TTL or session ends it)");
                }
                e.registered = false;
            }
            return removed;
        }
    }

    /** The instances as registered (with their current health). */
    public List<ServiceInstance> instances() {
        List<ServiceInstance> all = new ArrayList<>();
        entries.values().forEach(e -> all.add(e.instance));
        return all;
    }

    private void keepUp() {
        synchronized (lock) {
            if (!closed) {
                keepUpLocked();
            }
        }
    }

    private void keepUpLocked() {
        for (Entry e : entries.values()) {
            if (!e.registered) {
                register(e);
            } else if (!e.instance.ttl().isZero()) {
                try {
                    registry.heartbeat(e.instance.service(), e.instance.id());
                } catch (RegistryException lost) {
                    register(e); // expired, or the registry cannot be reached: try to put it back
                } catch (RuntimeException failed) {
                    LOG.log(Level.FINE, "heartbeat for " + e.instance + " failed", failed);
                }
            }
        }
    }

    private void register(Entry e) {
        try {
            registry.register(e.instance);
            e.registered = true;
        } catch (RuntimeException failed) {
            e.registered = false;
            LOG.log(Level.WARNING, "cannot register " + e.instance + " yet; retrying: " + failed.getMessage());
        }
    }
}
