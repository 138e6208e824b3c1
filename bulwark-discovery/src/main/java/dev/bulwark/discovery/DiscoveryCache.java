package dev.bulwark.discovery;

import dev.bulwark.internal.Check;
import dev.bulwark.internal.Events;
import dev.bulwark.internal.Listeners;
import dev.bulwark.time.Scheduler;
import dev.bulwark.time.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * One service's instances, kept current by a watch and a periodic full read, and trustworthy when
 * the registry is not.
 *
 * <ul>
 *   <li><b>Outages.</b> When reads fail or the watch disconnects, the cache keeps serving the last
 *       known good list and says how stale it is ({@link #stats()}).</li>
 *   <li><b>No empty wipe.</b> A non-empty list is never replaced by an empty one on the word of a
 *       single answer: an event or read that would empty it triggers a confirming read after
 *       {@code confirmDelay}, and only a second empty answer empties it.</li>
 *   <li><b>No lost change.</b> Events that arrive while a full read is in flight are replayed on
 *       top of its result, so a read never undoes a newer change.</li>
 * </ul>
 *
 * Reads are lock-free (an immutable snapshot); changes are applied under a lock on the registry's
 * and scheduler's threads.
 */
public final class DiscoveryCache implements AutoCloseable {

    private final ServiceRegistry registry;
    private static final int LOGGED_ONE_BY_ONE = 10;
    private final String service;
    private final Scheduler scheduler;
    private final Ticker ticker;
    private final long resyncNanos;
    private final long confirmNanos;
    private final ReentrantLock lock = new ReentrantLock();
    @SuppressWarnings({"unchecked", "rawtypes"})
    private final Listeners<Consumer<List<ServiceInstance>>> listeners = new Listeners(Consumer.class);
    private final LongAdder hits = new LongAdder();
    private final LongAdder refreshes = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final LongAdder staleServes = new LongAdder();
    private final LongAdder emptyWipesRefused = new LongAdder();

    private volatile Map<String, ServiceInstance> current = Map.of();
    private volatile List<ServiceInstance> snapshot = List.of();
    private volatile boolean degraded;
    private volatile String lastError;
    /** When the cache last knew it was current: a successful read or event, or the moment a live watch was lost. */
    private volatile long currentAtNanos;
    /** Whether the watch is connected: while it is, a quiet service is a current one. */
    private volatile boolean watchLive;
    // Guarded by lock.
    private int readsInFlight;
    private final List<RegistryEvent> duringRead = new ArrayList<>();
    private boolean confirmPending;
    private volatile boolean closed;
    private Watch watch;
    private final List<Change> changes = new ArrayList<>(); // adopted, not yet logged; guarded by lock
    private Scheduler.Cancellable nextResync;

    private DiscoveryCache(Builder b) {
        this.registry = b.registry;
        this.service = b.service;
        this.scheduler = b.scheduler;
        this.ticker = b.scheduler.ticker();
        this.resyncNanos = Check.nanos(b.resync);
        this.confirmNanos = Check.nanos(b.confirmDelay);
        this.currentAtNanos = ticker.read();
    }

    public static Builder builder(ServiceRegistry registry, String service) {
        return new Builder(Check.notNull("registry", registry), Names.check("service", service));
    }

    /**
     * Starts the watch, then reads the service in full, then the periodic resync. A change that
     * arrives between the watch starting and the read answering is replayed on the read's result,
     * so none is missed. A failed first read is retried.
     */
    public DiscoveryCache start() {
        lock.lock();
        try {
            readsInFlight++; // buffer events from the watch until the first read has answered
        } finally {
            lock.unlock();
        }
        try {
            try {
                watch = registry.watch(service, new Listener());
                watchLive = true;
            } catch (RuntimeException e) {
                failed("watch", e);
            }
            resync();
        } finally {
            lock.lock();
            try {
                readsInFlight--;
                if (readsInFlight == 0) {
                    duringRead.clear();
                }
            } finally {
                lock.unlock();
            }
        }
        return this;
    }

    /** The instances now (all of them, healthy or not), from memory. */
    public List<ServiceInstance> instances() {
        hits.increment();
        if (degraded) {
            staleServes.increment();
        }
        return snapshot;
    }

    public String service() {
        return service;
    }

    /** Calls {@code listener} with the full list after every change. */
    public void addListener(Consumer<List<ServiceInstance>> listener) {
        listeners.add(Check.notNull("listener", listener));
    }

    /** Stops calling {@code listener}. */
    public void removeListener(Consumer<List<ServiceInstance>> listener) {
        listeners.remove(listener);
    }

    public CacheStats stats() {
        return new CacheStats(hits.sum(), refreshes.sum(), errors.sum(), staleServes.sum(), emptyWipesRefused.sum(),
                degraded ? ticker.read() - currentAtNanos : 0, degraded, lastError);
    }

    /** Reads the registry in full now and adopts the answer (an empty one only once confirmed). */
    public void resync() {
        read(false);
    }

    @Override
    public void close() {
        closed = true;
        lock.lock();
        try {
            if (watch != null) {
                watch.close();
            }
            if (nextResync != null) {
                nextResync.cancel();
            }
        } finally {
            lock.unlock();
        }
    }

    private void read(boolean confirming) {
        if (closed) {
            return;
        }
        lock.lock();
        try {
            readsInFlight++;
        } finally {
            lock.unlock();
        }
        List<ServiceInstance> answer;
        try {
            answer = registry.list(service);
        } catch (RuntimeException e) {
            lock.lock();
            try {
                readsInFlight--;
                if (readsInFlight == 0) {
                    duringRead.clear();
                }
                if (confirming) {
                    confirmPending = false;
                }
            } finally {
                lock.unlock();
            }
            failed("read", e);
            scheduleResync();
            return;
        }
        lock.lock();
        try {
            readsInFlight--;
            refreshes.increment();
            recovered("a read answered");
            currentAtNanos = ticker.read();
            Map<String, ServiceInstance> next = new LinkedHashMap<>();
            answer.forEach(i -> next.put(i.id(), i));
            for (RegistryEvent event : duringRead) {
                applyTo(next, event); // a change seen while the read was in flight is newer than it
            }
            if (readsInFlight == 0) {
                duringRead.clear();
            }
            if (confirming) {
                confirmPending = false;
            }
            if (next.isEmpty() && !current.isEmpty() && !confirming) {
                refuseEmpty("a full read came back empty");
            } else {
                adopt(next);
            }
        } finally {
            lock.unlock();
        }
        logChanges();
        if (!confirming) {
            scheduleResync();
        }
    }

    // A batch (a registry's push of a whole list) is applied as one change, so an empty push is
    // refused whole rather than thinning the list down to its last instance first.
    private void onEvents(List<RegistryEvent> events) {
        lock.lock();
        try {
            if (readsInFlight > 0) {
                duringRead.addAll(events);
            }
            recovered("the watch delivered");
            currentAtNanos = ticker.read();
            Map<String, ServiceInstance> next = new LinkedHashMap<>(current);
            events.forEach(event -> applyTo(next, event));
            if (next.isEmpty() && !current.isEmpty()) {
                refuseEmpty(events.size() == 1 ? "the last instance was deleted" : "a push deleted every instance");
            } else {
                adopt(next);
            }
        } finally {
            lock.unlock();
        }
        logChanges();
    }

    private static void applyTo(Map<String, ServiceInstance> instances, RegistryEvent event) {
        if (event.type() == RegistryEvent.Type.DELETED) {
            instances.remove(event.instanceId());
        } else if (event.instance() != null) {
            instances.put(event.instanceId(), event.instance());
        }
    }

    // Called under lock: keep the list, ask again after confirmDelay.
    private void refuseEmpty(String why) {
        emptyWipesRefused.increment();
        if (!confirmPending) {
            confirmPending = true;
            Events.info(Events.DISCOVERY, "empty list refused", "service", service, "why", why, "keeping", current.size(),
                    "until", "a second read confirms it");
            scheduler.schedule(() -> read(true), confirmNanos);
        }
    }

    // Called under lock.
    private void adopt(Map<String, ServiceInstance> next) {
        if (next.equals(current)) {
            return;
        }
        Map<String, ServiceInstance> adopted = Map.copyOf(next);
        changes.add(new Change(current, adopted));
        current = adopted;
        snapshot = List.copyOf(next.values());
        for (Consumer<List<ServiceInstance>> l : listeners.all()) {
            try {
                l.accept(snapshot);
            } catch (RuntimeException e) {
                listeners.failed(l, e);
            }
        }
    }

    private void failed(String what, Throwable error) {
        errors.increment();
        if (!degraded && watchLive) {
            currentAtNanos = ticker.read(); // the live watch kept the data current until this moment
        }
        boolean first;
        lock.lock();
        try {
            first = !degraded;
            degraded = true;
            lastError = what + ": " + error;
        } finally {
            lock.unlock();
        }
        // The first failure of an outage is a warning; the retries that follow, until one succeeds, are detail.
        Events.log(Events.REGISTRY, first ? System.Logger.Level.WARNING : System.Logger.Level.DEBUG, "registry unavailable", null,
                "service", service, "operation", what, "error", String.valueOf(error), "serving", snapshot.size());
    }

    /** The data is current again; called under lock. */
    private void recovered(String how) {
        if (degraded) {
            Events.info(Events.REGISTRY, "registry resumed", "service", service, "how", how, "instances", snapshot.size());
        }
        degraded = false;
    }

    /** Two lists the cache held one after the other, to be logged outside the lock. */
    private record Change(Map<String, ServiceInstance> before, Map<String, ServiceInstance> after) {
    }

    /**
     * Logs the changes adopted since the last call, outside the lock: each instance added,
     * updated or removed, or, when one change moved more than {@value #LOGGED_ONE_BY_ONE}
     * instances (a first read of a large service), one line with the counts.
     */
    private void logChanges() {
        List<Change> adopted;
        lock.lock();
        try {
            if (changes.isEmpty()) {
                return;
            }
            adopted = new ArrayList<>(changes);
            changes.clear();
        } finally {
            lock.unlock();
        }
        for (Change change : adopted) {
            List<ServiceInstance> added = new ArrayList<>();
            List<ServiceInstance> updated = new ArrayList<>();
            List<String> removed = new ArrayList<>();
            change.after().forEach((id, instance) -> {
                ServiceInstance was = change.before().get(id);
                if (was == null) {
                    added.add(instance);
                } else if (!was.equals(instance)) {
                    updated.add(instance);
                }
            });
            change.before().keySet().stream().filter(id -> !change.after().containsKey(id)).forEach(removed::add);
            if (added.size() + updated.size() + removed.size() > LOGGED_ONE_BY_ONE) {
                Events.info(Events.DISCOVERY, "instances changed", "service", service, "added", added.size(),
                        "updated", updated.size(), "removed", removed.size(), "instances", change.after().size());
                continue;
            }
            added.forEach(i -> instanceEvent("instance added", i));
            updated.forEach(i -> instanceEvent("instance updated", i));
            removed.forEach(id -> Events.info(Events.DISCOVERY, "instance removed", "service", service, "instance", id));
        }
    }

    private void instanceEvent(String message, ServiceInstance i) {
        Events.info(Events.DISCOVERY, message, "service", service, "instance", i.id(), "address", i.host() + ":" + i.port(),
                "health", i.health());
    }

    private void scheduleResync() {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            if (nextResync != null) {
                nextResync.cancel();
            }
            nextResync = scheduler.schedule(this::resync, resyncNanos);
        } finally {
            lock.unlock();
        }
    }

    private final class Listener implements WatchListener {
        @Override
        public void onEvent(RegistryEvent event) {
            onEvents(List.of(event));
        }

        @Override
        public void onBatch(List<RegistryEvent> events) {
            onEvents(events);
        }

        @Override
        public void onDisconnected(Throwable cause) {
            failed("watch", cause);
            watchLive = false;
        }

        @Override
        public void onResumed(boolean complete) {
            watchLive = true;
            if (complete) {
                // Every change missed was replayed: the data is current again.
                lock.lock();
                try {
                    recovered("the watch resumed with every change missed");
                } finally {
                    lock.unlock();
                }
                currentAtNanos = ticker.read();
            } else {
                scheduler.schedule(DiscoveryCache.this::resync, 0);
            }
        }
    }

    /** Builds a {@link DiscoveryCache}. */
    public static final class Builder {
        private final ServiceRegistry registry;
        private final String service;
        private Scheduler scheduler = Scheduler.system();
        private Duration resync = Duration.ofSeconds(30);
        private Duration confirmDelay = Duration.ofSeconds(1);

        private Builder(ServiceRegistry registry, String service) {
            this.registry = registry;
            this.service = service;
        }

        /** How often the service is read in full, beside the watch (default 30 s). */
        public Builder resyncEvery(Duration interval) {
            resync = Check.positive("resyncEvery", interval);
            return this;
        }

        /** How long to wait before the read that confirms an empty answer (default 1 s). */
        public Builder confirmEmptyAfter(Duration delay) {
            confirmDelay = Check.nonNegative("confirmEmptyAfter", delay);
            return this;
        }

        public Builder scheduler(Scheduler source) {
            scheduler = Check.notNull("scheduler", source);
            return this;
        }

        /** Builds the cache, not yet started. */
        public DiscoveryCache build() {
            return new DiscoveryCache(this);
        }
    }
}
