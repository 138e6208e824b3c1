package dev.bulwark.discovery.nacos;

import com.alibaba.nacos.api.naming.listener.Event;
import com.alibaba.nacos.api.naming.listener.EventListener;
import com.alibaba.nacos.api.naming.listener.NamingEvent;
import com.alibaba.nacos.api.naming.pojo.Instance;
import dev.bulwark.discovery.RegistryEvent;
import dev.bulwark.discovery.ServiceInstance;
import dev.bulwark.discovery.Watch;
import dev.bulwark.discovery.WatchListener;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Function;

/**
 * One watch of one service: a nacos-client subscription whose full-list pushes are compared with
 * the list last reported, and the differences reported as events ({@link PushDiff}).
 *
 * <p>Everything a watch does runs on its registry's event thread, one task at a time, so pushes,
 * this client's own writes and connection news reach the listener in the order they happened,
 * never concurrently, and never on nacos-client's own notification thread.
 */
final class NacosWatch implements Watch {
    private static final System.Logger LOG = System.getLogger("dev.bulwark.discovery.nacos");

    private final String service;
    private final WatchListener listener;
    private final Executor events;
    private final Function<List<Instance>, Map<String, ServiceInstance>> decode;
    /** This client's recent writes to the service, as of the task running now. */
    private final OwnWrites own;
    private final Runnable onClose;
    private final EventListener subscription = this::pushed;
    private volatile boolean closed;
    // Touched on the event thread only (and before the first task is handed to it).
    private Map<String, ServiceInstance> server;
    private Map<String, ServiceInstance> reported;

    /**
     * @param seed the service's instances when the watch starts, as the server listed them
     * @param decode reads a pushed list into instances by id, skipping (and counting) corrupt ones
     * @param own this client's recent writes to the service ({@link OwnWrites}), laid over the
     *     server's lists; from now on changed only through {@link #wrote}, in event order
     */
    NacosWatch(String service, WatchListener listener, Executor events, Map<String, ServiceInstance> seed,
            Function<List<Instance>, Map<String, ServiceInstance>> decode, OwnWrites own, Runnable onClose) {
        this.service = service;
        this.listener = listener;
        this.events = events;
        this.decode = decode;
        this.own = own;
        this.onClose = onClose;
        this.server = seed;
        this.reported = own.overlay(service, seed);
    }

    String service() {
        return service;
    }

    /** What to subscribe with: nacos-client calls it with the service's whole list after each change. */
    EventListener subscription() {
        return subscription;
    }

    /**
     * This client registered ({@code instance}) or deregistered ({@code instance} null)
     * {@code instanceId}: reports it now, in order with the pushes, rather than when the server
     * next pushes.
     */
    void wrote(String instanceId, ServiceInstance instance) {
        run(() -> {
            if (instance == null) {
                own.deregistered(service, instanceId);
            } else {
                own.registered(instance);
            }
            report(own.overlay(service, server));
        });
    }

    /** Reports what changed since the last report; run when a write stops overriding the server's list. */
    void refresh() {
        run(() -> report(own.overlay(service, server)));
    }

    void disconnected(Throwable cause) {
        run(() -> listener.onDisconnected(cause));
    }

    /**
     * The connection is back. nacos-client subscribes again by itself and the next push brings
     * the whole list, but changes that came and went meanwhile are lost: not a complete replay.
     */
    void resumed() {
        run(() -> listener.onResumed(false));
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            onClose.run();
        }
    }

    private void pushed(Event event) {
        if (event instanceof NamingEvent naming && naming.getInstances() != null) {
            List<Instance> instances = new ArrayList<>(naming.getInstances());
            run(() -> {
                server = decode.apply(instances);
                report(own.overlay(service, server));
            });
        }
    }

    private void report(Map<String, ServiceInstance> next) {
        List<RegistryEvent> changes = PushDiff.between(service, reported, next);
        reported = next;
        if (closed || changes.isEmpty()) {
            return;
        }
        try {
            // One push, one batch: a listener can then judge the push whole (an empty push is refused whole).
            listener.onBatch(changes);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "watch listener of " + service + " threw on " + changes + "; ignored", e);
        }
    }

    private void run(Runnable task) {
        if (closed) {
            return;
        }
        try {
            events.execute(() -> {
                if (closed) {
                    return;
                }
                try {
                    task.run();
                } catch (RuntimeException e) {
                    LOG.log(System.Logger.Level.WARNING, "watch listener of " + service + " threw; ignored", e);
                }
            });
        } catch (RejectedExecutionException e) {
            // the registry is closing: nothing more to report
        }
    }
}
