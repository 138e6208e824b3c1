package dev.bulwark.discovery.consul;

import dev.bulwark.discovery.RegistryException;
import dev.bulwark.discovery.ServiceInstance;
import dev.bulwark.time.Scheduler;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Keeps this client's instances that have no TTL alive, as a session would: Consul only knows
 * TTL checks, so such an instance is registered with a check of the config's session timeout,
 * and this passes it every third of that until the instance is deregistered or the registry
 * closes (then it lapses, like a ZooKeeper session's ephemeral nodes). If the agent no longer
 * knows the check (it restarted without its data), the instance is registered again.
 *
 * <p>Instances with a TTL are not kept here: their owner heartbeats them, and they expire when
 * it stops, which is what a TTL is for.
 *
 * <p>The scheduler only says when; the renewals (HTTP calls) run on {@code renewals}, since a
 * scheduler's timer thread must not wait on the network.
 */
final class Sessions {
    private static final System.Logger LOG = System.getLogger("dev.bulwark.discovery.consul");
    private static final int STRIPES = 64;

    /** Passes one instance's check; throws a RegistryException naming Consul's status when it fails. */
    interface Pass {
        void pass(String instanceId);
    }

    private final Map<String, ServiceInstance> owned = new ConcurrentHashMap<>();
    private final ReentrantLock[] locks = new ReentrantLock[STRIPES];
    private final Scheduler scheduler;
    private final Executor renewals;
    private final long periodNanos;
    private final Pass pass;
    private final Consumer<ServiceInstance> restore;
    private volatile boolean closed;
    private volatile Scheduler.Cancellable next;

    Sessions(Scheduler scheduler, Executor renewals, Duration sessionTimeout, Pass pass, Consumer<ServiceInstance> restore) {
        this.scheduler = scheduler;
        this.renewals = renewals;
        this.periodNanos = Math.max(sessionTimeout.toNanos() / 3, 1_000_000L);
        this.pass = pass;
        this.restore = restore;
        for (int i = 0; i < STRIPES; i++) {
            locks[i] = new ReentrantLock();
        }
        schedule();
    }

    /** The lock that orders writes of one instance id (Consul's service ids are unique per agent). */
    ReentrantLock lock(String instanceId) {
        return locks[(instanceId.hashCode() & 0x7fffffff) % STRIPES];
    }

    /** Keeps {@code instance} alive from now on (call holding {@link #lock}). */
    void own(ServiceInstance instance) {
        owned.put(instance.id(), instance);
    }

    /** Stops keeping {@code instanceId} alive (call holding {@link #lock}). */
    void forget(String instanceId) {
        owned.remove(instanceId);
    }

    void close() {
        closed = true;
        Scheduler.Cancellable pending = next;
        if (pending != null) {
            pending.cancel();
        }
    }

    private void schedule() {
        if (!closed) {
            next = scheduler.schedule(() -> {
                try {
                    renewals.execute(this::renewAll);
                } catch (RejectedExecutionException e) {
                    // closed meanwhile
                }
            }, periodNanos);
        }
    }

    private void renewAll() {
        try {
            for (ServiceInstance instance : List.copyOf(owned.values())) {
                if (closed) {
                    return;
                }
                renew(instance);
            }
        } finally {
            schedule();
        }
    }

    private void renew(ServiceInstance instance) {
        try {
            pass.pass(instance.id());
        } catch (RegistryException e) {
            if (Calls.status(e) != 404) {
                LOG.log(System.Logger.Level.DEBUG, "keeping " + instance.service() + "/" + instance.id() + " alive failed; "
                        + "retrying in " + Duration.ofNanos(periodNanos), e);
                return;
            }
            ReentrantLock lock = lock(instance.id());
            lock.lock();
            try {
                if (closed || owned.get(instance.id()) != instance) {
                    return; // deregistered or replaced meanwhile
                }
                LOG.log(System.Logger.Level.INFO, "the Consul agent no longer knows " + instance.service() + "/"
                        + instance.id() + " (restarted without its data?); registering it again");
                restore.accept(instance);
            } catch (RegistryException again) {
                LOG.log(System.Logger.Level.WARNING, "registering " + instance.service() + "/" + instance.id()
                        + " again failed; retrying in " + Duration.ofNanos(periodNanos), again);
            } finally {
                lock.unlock();
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "keeping " + instance.service() + "/" + instance.id() + " alive failed", e);
        }
    }
}
