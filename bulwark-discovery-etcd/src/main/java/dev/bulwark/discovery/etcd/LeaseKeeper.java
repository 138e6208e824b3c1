package dev.bulwark.discovery.etcd;

import dev.bulwark.discovery.RegistryException;
import dev.bulwark.discovery.ServiceInstance;
import dev.bulwark.time.Scheduler;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.lease.LeaseKeepAliveResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.LeaseOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.support.CloseableClient;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The leases of this client's own registrations with a TTL: one lease per instance, kept alive
 * by jetcd's keepalive stream for as long as the registry is open, and repaired when that stream
 * gives up.
 *
 * <p>jetcd stops renewing a lease for good once it has gone a TTL without an answer (say, etcd
 * was down that long), though etcd may still hold the lease: a restarted etcd extends every
 * lease. So when the keepalive ends or fails, a repair renews the lease once by hand and resumes
 * the keepalive; if the lease is gone (it expired, taking the key with it), it registers the
 * instance again under a new lease, unless another client registered it meanwhile. A lease that
 * etcd reports gone while the keepalive was answering was revoked on purpose (someone
 * deregistered the instance): that registration is dropped, not brought back.
 *
 * <p>Writes to one key are serialized by a lock per key (striped), so that a repair never races
 * a register or deregister of the same instance.
 */
final class LeaseKeeper {
    private static final System.Logger LOG = System.getLogger("dev.bulwark.discovery.etcd");
    private static final int STRIPES = 64;

    private final Client client;
    private final EtcdCalls calls;
    private final Scheduler scheduler;
    private final Executor repairs;
    private final Map<String, Owned> own = new ConcurrentHashMap<>();
    private final ReentrantLock[] locks = new ReentrantLock[STRIPES];
    private volatile boolean closed;

    /** One registration this client keeps alive. */
    final class Owned implements StreamObserver<LeaseKeepAliveResponse> {
        final String key;
        final ByteSequence keyBytes;
        final long leaseId;
        volatile ServiceInstance instance;
        volatile byte[] value;
        private volatile CloseableClient keepAlive;
        private final AtomicBoolean repairPending = new AtomicBoolean();
        private volatile int failures;
        private volatile long lastAnswerNanos;
        /** etcd said the lease is gone while the keepalive was answering: someone revoked it. */
        private volatile boolean revoked;

        Owned(String key, ByteSequence keyBytes, long leaseId, ServiceInstance instance, byte[] value) {
            this.key = key;
            this.keyBytes = keyBytes;
            this.leaseId = leaseId;
            this.instance = instance;
            this.value = value;
        }

        void startKeepAlive() {
            lastAnswerNanos = scheduler.ticker().read();
            keepAlive = client.getLeaseClient().keepAlive(leaseId, this);
        }

        void stopKeepAlive() {
            CloseableClient running = keepAlive;
            keepAlive = null;
            if (running != null) {
                running.close();
            }
        }

        @Override
        public void onNext(LeaseKeepAliveResponse response) {
            lastAnswerNanos = scheduler.ticker().read();
        }

        @Override
        public void onError(Throwable error) {
            // Gone though renewed less than two thirds of a TTL ago: revoked, not expired (jetcd renews every third).
            long ttlNanos = Duration.ofSeconds(ttlSeconds(instance.ttl())).toNanos();
            revoked = EtcdCalls.notFound(error) && scheduler.ticker().read() - lastAnswerNanos < ttlNanos * 2 / 3;
            calls.noteFailure(error);
            scheduleRepair(this, 0);
        }

        @Override
        public void onCompleted() {
            scheduleRepair(this, 0); // jetcd gave up: a TTL passed without an answer
        }
    }

    LeaseKeeper(Client client, EtcdCalls calls, Scheduler scheduler, Executor repairs) {
        this.client = client;
        this.calls = calls;
        this.scheduler = scheduler;
        this.repairs = repairs;
        for (int i = 0; i < STRIPES; i++) {
            locks[i] = new ReentrantLock();
        }
    }

    /** The lock serializing writes to {@code key}. */
    ReentrantLock lock(String key) {
        return locks[Math.floorMod(key.hashCode(), STRIPES)];
    }

    /** A new lease lasting {@code ttl} rounded up to whole seconds, at least one (etcd's unit). */
    long grant(Duration ttl, String what) {
        return calls.await(client.getLeaseClient().grant(ttlSeconds(ttl)), what + " (lease grant)").getID();
    }

    static long ttlSeconds(Duration ttl) {
        long seconds = ttl.getSeconds() + (ttl.getNano() > 0 ? 1 : 0);
        return Math.max(1, seconds);
    }

    /** Keeps {@code leaseId} alive for {@code key} from now on; returns the registration it replaces, stopped. Call under the key's lock. */
    Owned own(String key, ByteSequence keyBytes, long leaseId, ServiceInstance instance, byte[] value) {
        Owned next = new Owned(key, keyBytes, leaseId, instance, value);
        Owned previous = own.put(key, next);
        if (previous != null) {
            previous.stopKeepAlive();
        }
        next.startKeepAlive();
        return previous;
    }

    /** Stops keeping {@code key}'s lease alive; returns the registration, or null if not ours. Call under the key's lock. */
    Owned forget(String key) {
        Owned previous = own.remove(key);
        if (previous != null) {
            previous.stopKeepAlive();
        }
        return previous;
    }

    Owned owned(String key) {
        return own.get(key);
    }

    /**
     * Revokes {@code leaseId} after its key was deleted, if no other key is attached to it: this
     * client's leases hold one key each, but another writer's lease might hold several.
     */
    void revokeIfUnused(long leaseId, boolean ours, String what) {
        try {
            if (!ours) {
                var ttl = calls.await(client.getLeaseClient().timeToLive(leaseId, LeaseOption.builder().withAttachedKeys().build()),
                        what + " (lease lookup)");
                if (ttl.getTTL() < 0 || !ttl.getKeys().isEmpty()) {
                    return; // gone already, or still holding other keys
                }
            }
            calls.await(client.getLeaseClient().revoke(leaseId), what + " (lease revoke)");
        } catch (RegistryException e) {
            if (!EtcdCalls.notFound(e)) {
                LOG.log(System.Logger.Level.WARNING, "could not revoke lease " + Long.toHexString(leaseId) + " after " + what
                        + "; it expires by its TTL: " + e.getMessage());
            }
        }
    }

    /** Revokes {@code leaseId} in the background, ignoring failures (it expires by its TTL anyway). */
    void revokeQuietly(long leaseId) {
        try {
            client.getLeaseClient().revoke(leaseId);
        } catch (RuntimeException e) {
            // The client is closing: the lease expires by its TTL.
        }
    }

    /** Stops every keepalive; the leases then lapse by their TTLs, as the registry's contract says. */
    void close() {
        closed = true;
        own.values().forEach(Owned::stopKeepAlive);
        own.clear();
    }

    private void scheduleRepair(Owned o, long delayNanos) {
        if (closed || !o.repairPending.compareAndSet(false, true)) {
            return;
        }
        Runnable submit = () -> {
            try {
                repairs.execute(() -> repair(o));
            } catch (RejectedExecutionException e) {
                // The registry is closed.
            }
        };
        if (delayNanos <= 0) {
            submit.run();
        } else {
            scheduler.schedule(submit, delayNanos);
        }
    }

    private void repair(Owned o) {
        o.repairPending.set(false);
        ReentrantLock lock = lock(o.key);
        lock.lock();
        try {
            if (closed || own.get(o.key) != o) {
                return;
            }
            o.stopKeepAlive();
            if (o.revoked) {
                own.remove(o.key, o);
                LOG.log(System.Logger.Level.INFO, "lease of " + o.key + " was revoked by another client (deregistered?); "
                        + "no longer keeping it alive");
                return;
            }
            String what = "renew the lease of " + o.key;
            try {
                calls.await(client.getLeaseClient().keepAliveOnce(o.leaseId), what);
                o.startKeepAlive();
                if (o.failures > 0) {
                    LOG.log(System.Logger.Level.INFO, "lease of " + o.key + " renewed again");
                }
                o.failures = 0;
                return;
            } catch (RegistryException e) {
                if (!EtcdCalls.notFound(e)) {
                    throw e;
                }
            }
            registerAgain(o);
        } catch (RegistryException e) {
            if (o.failures++ == 0) {
                LOG.log(System.Logger.Level.WARNING, "cannot renew the lease of " + o.key + " (" + e.getMessage()
                        + "); retrying until etcd answers");
            }
            // Retry well within the TTL: etcd may be back with the lease still alive, and it must be renewed in time.
            long ttlNanos = Duration.ofSeconds(ttlSeconds(o.instance.ttl())).toNanos();
            scheduleRepair(o, Math.min(dev.bulwark.discovery.internal.Reconnect.delayNanos(o.failures), ttlNanos / 3));
        } finally {
            lock.unlock();
        }
    }

    // The lease expired and took the key with it: put the instance back, unless someone else has.
    private void registerAgain(Owned o) {
        String what = "register " + o.key + " again";
        long lease = grant(o.instance.ttl(), what);
        TxnResponse answer;
        try {
            answer = calls.await(client.getKVClient().txn()
                    .If(new Cmp(o.keyBytes, Cmp.Op.EQUAL, CmpTarget.version(0)))
                    .Then(Op.put(o.keyBytes, ByteSequence.from(o.value), PutOption.builder().withLeaseId(lease).build()))
                    .commit(), what);
        } catch (RegistryException e) {
            revokeQuietly(lease);
            throw e;
        }
        if (answer.isSucceeded()) {
            own(o.key, o.keyBytes, lease, o.instance, o.value);
            LOG.log(System.Logger.Level.WARNING, "lease of " + o.key + " expired (etcd out of reach for longer than its TTL?); "
                    + "registered the instance again");
        } else {
            revokeQuietly(lease);
            own.remove(o.key, o);
            LOG.log(System.Logger.Level.INFO, "lease of " + o.key + " expired and another client registered the instance "
                    + "meanwhile; no longer keeping it alive");
        }
    }
}
