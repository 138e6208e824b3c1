package dev.bulwark.testing.discovery;

import dev.bulwark.discovery.RegistryEvent;
import dev.bulwark.discovery.RegistryException;
import dev.bulwark.discovery.ServiceInstance;
import dev.bulwark.discovery.ServiceRegistry;
import dev.bulwark.discovery.Watch;
import dev.bulwark.discovery.WatchListener;
import dev.bulwark.internal.Check;
import dev.bulwark.time.Scheduler;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * Wraps a registry and misbehaves on command, to test what depends on a registry: unreachable
 * (every operation fails), slow (every operation waits first, on the scheduler), flapping (every
 * other operation fails), empty answers (reads return nothing while the data is still there),
 * an empty push (watchers are told every instance was deleted), and dropped watch connections.
 *
 * <pre>{@code
 * VirtualScheduler scheduler = new VirtualScheduler();
 * FaultInjectingRegistry registry = FaultInjectingRegistry.wrap(
 *         InMemoryRegistry.create(scheduler, Duration.ofSeconds(1)), scheduler);
 * registry.unreachable(true);   // discovery must keep serving what it knew
 * }</pre>
 */
public final class FaultInjectingRegistry implements ServiceRegistry {
    private final ServiceRegistry delegate;
    private final Scheduler scheduler;
    private final List<Watcher> watchers = new CopyOnWriteArrayList<>();
    private final AtomicLong operations = new AtomicLong();
    private final AtomicLong failures = new AtomicLong();
    private volatile boolean unreachable;
    private volatile boolean flapping;
    private volatile boolean emptyReads;
    private volatile long delayNanos;

    private record Watcher(String service, WatchListener listener) {
    }

    private FaultInjectingRegistry(ServiceRegistry delegate, Scheduler scheduler) {
        this.delegate = delegate;
        this.scheduler = scheduler;
    }

    /** Wraps {@code delegate}; waits for {@link #slow(Duration)} happen on {@code scheduler}. */
    public static FaultInjectingRegistry wrap(ServiceRegistry delegate, Scheduler scheduler) {
        return new FaultInjectingRegistry(Check.notNull("delegate", delegate), Check.notNull("scheduler", scheduler));
    }

    /** Every operation fails with {@link RegistryException} while set; watches report a disconnect. */
    public FaultInjectingRegistry unreachable(boolean down) {
        boolean was = unreachable;
        unreachable = down;
        if (down && !was) {
            watchers.forEach(w -> w.listener().onDisconnected(new RegistryException("injected: registry unreachable")));
        } else if (!down && was) {
            watchers.forEach(w -> w.listener().onResumed(false));
        }
        return this;
    }

    /** Every other operation fails while set. */
    public FaultInjectingRegistry flapping(boolean on) {
        flapping = on;
        return this;
    }

    /** Every operation first waits {@code delay} on the scheduler (zero to stop). */
    public FaultInjectingRegistry slow(Duration delay) {
        delayNanos = Check.nanos(Check.nonNegative("delay", delay));
        return this;
    }

    /** Reads ({@code list}, {@code listAll}, {@code get}) answer empty while set, though nothing was removed. */
    public FaultInjectingRegistry emptyReads(boolean on) {
        emptyReads = on;
        return this;
    }

    /**
     * Tells {@code service}'s watchers, in one batch as a Nacos push would, that every instance was
     * deleted, though none was.
     */
    public void pushEmpty(String service) {
        List<RegistryEvent> deletions = delegate.list(service).stream()
                .map(i -> RegistryEvent.deleted(service, i.id(), i)).toList();
        for (Watcher w : watchers) {
            if (w.service().equals(service)) {
                w.listener().onBatch(deletions);
            }
        }
    }

    /** Drops every watch connection and resumes it, telling watchers whether history was replayed. */
    public void bounceWatches(boolean complete) {
        watchers.forEach(w -> w.listener().onDisconnected(new RegistryException("injected: watch connection lost")));
        watchers.forEach(w -> w.listener().onResumed(complete));
    }

    /** Operations attempted through this wrapper. */
    public long operations() {
        return operations.get();
    }

    /** Operations this wrapper made fail. */
    public long injectedFailures() {
        return failures.get();
    }

    @Override
    public void register(ServiceInstance instance) {
        run(() -> {
            delegate.register(instance);
            return null;
        });
    }

    @Override
    public void deregister(String service, String instanceId) {
        run(() -> {
            delegate.deregister(service, instanceId);
            return null;
        });
    }

    @Override
    public void update(ServiceInstance instance) {
        run(() -> {
            delegate.update(instance);
            return null;
        });
    }

    @Override
    public void heartbeat(String service, String instanceId) {
        run(() -> {
            delegate.heartbeat(service, instanceId);
            return null;
        });
    }

    @Override
    public Optional<ServiceInstance> get(String service, String instanceId) {
        return run(() -> emptyReads ? Optional.empty() : delegate.get(service, instanceId));
    }

    @Override
    public List<ServiceInstance> list(String service) {
        return run(() -> emptyReads ? List.of() : delegate.list(service));
    }

    @Override
    public Map<String, List<ServiceInstance>> listAll() {
        return run(() -> emptyReads ? Map.of() : delegate.listAll());
    }

    @Override
    public Watch watch(String service, WatchListener listener) {
        Watcher watcher = new Watcher(service, listener);
        WatchListener gated = new WatchListener() {
            @Override
            public void onEvent(RegistryEvent event) {
                if (!unreachable) {
                    listener.onEvent(event); // a dead connection delivers nothing
                }
            }

            @Override
            public void onBatch(List<RegistryEvent> events) {
                if (!unreachable) {
                    listener.onBatch(events);
                }
            }

            @Override
            public void onDisconnected(Throwable cause) {
                listener.onDisconnected(cause);
            }

            @Override
            public void onResumed(boolean complete) {
                listener.onResumed(complete);
            }
        };
        Watch inner = run(() -> delegate.watch(service, gated));
        watchers.add(watcher);
        return () -> {
            watchers.remove(watcher);
            inner.close();
        };
    }

    @Override
    public void close() {
        delegate.close();
    }

    private <T> T run(Supplier<T> operation) {
        long n = operations.incrementAndGet();
        long delay = delayNanos;
        if (delay > 0) {
            try {
                scheduler.sleep(delay);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new RegistryException("interrupted while slowed down", e);
            }
        }
        if (unreachable || (flapping && n % 2 == 0)) {
            failures.incrementAndGet();
            throw new RegistryException("injected: registry " + (unreachable ? "unreachable" : "flapping"));
        }
        return operation.get();
    }
}
