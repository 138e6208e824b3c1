package dev.bulwark.discovery.etcd;

import dev.bulwark.InvalidConfigException;
import dev.bulwark.discovery.Names;
import dev.bulwark.discovery.CorruptEntryCounts;
import dev.bulwark.discovery.RegistryConfig;
import dev.bulwark.discovery.internal.CorruptEntries;
import dev.bulwark.discovery.RegistryException;
import dev.bulwark.discovery.ServiceInstance;
import dev.bulwark.discovery.ServiceRegistry;
import dev.bulwark.discovery.Watch;
import dev.bulwark.discovery.WatchListener;
import dev.bulwark.internal.Check;
import dev.bulwark.time.Scheduler;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.DeleteResponse;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.OptionsUtil;
import io.etcd.jetcd.options.PutOption;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link ServiceRegistry} on etcd v3, through jetcd.
 *
 * <ul>
 *   <li><b>Layout.</b> Each instance is a JSON object (its fields by name, instants and the TTL
 *       in ISO-8601) under {@code <namespace>/<service>/<instanceId>}, the namespace defaulting
 *       to {@code /bulwark/services} ({@link #keyPrefix()}).</li>
 *   <li><b>TTLs are leases.</b> An instance with a TTL gets a lease of that TTL (rounded up to
 *       whole seconds, at least 1 s) that this client keeps alive until it deregisters the
 *       instance or closes; a heartbeat is optional (it renews the lease once). An instance
 *       without a TTL is stored without a lease and stays until deregistered.</li>
 *   <li><b>Watches resume where they stopped.</b> After a disconnect a watch resumes from the
 *       revision after the last one it delivered, replaying what it missed, or tells the listener
 *       to re-read in full when etcd has compacted that history away.</li>
 *   <li><b>Corrupt values are skipped.</b> A value that is not an instance, or disagrees with its
 *       key, is left out of every read and watch, counted ({@link #corruptEntries()}) and logged
 *       once per key.</li>
 *   <li><b>Nothing waits forever.</b> Every call gives up after the config's connect timeout with
 *       a {@link RegistryException} naming the servers and the operation.</li>
 * </ul>
 *
 * <pre>{@code
 * ServiceRegistry registry = Registries.create(RegistryConfig.builder(RegistryConfig.ETCD)
 *     .endpoints("http://10.0.0.1:2379", "http://10.0.0.2:2379")
 *     .credentials("svc", secret)
 *     .build());
 * }</pre>
 */
public final class EtcdRegistry implements ServiceRegistry {
    private static final System.Logger LOG = System.getLogger("dev.bulwark.discovery.etcd");
    /** Keys per range request: long lists are read in pages, all at one revision. */
    private static final int PAGE = 1000;
    /** Tries of update's compare-and-put before giving up on a key that keeps changing. */
    private static final int UPDATE_TRIES = 5;
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final String where;
    private final Client client;
    private final KV kv;
    private final Keys keys;
    private final EtcdCalls calls;
    private final CorruptEntries corrupt = new CorruptEntries("etcd", LOG);
    private final Decoder decoder;
    private final Scheduler scheduler;
    private final ExecutorService events;
    private final ExecutorService repairs;
    private final LeaseKeeper leases;
    private final dev.bulwark.discovery.internal.OpenWatches<EtcdWatch> watches = new dev.bulwark.discovery.internal.OpenWatches<>();
    private final List<URI> endpoints;
    private final Reconnector reconnector;
    private volatile boolean closed;

    private EtcdRegistry(RegistryConfig config, Scheduler scheduler) {
        List<URI> endpoints = EtcdClients.endpoints(config);
        boolean tls = EtcdClients.tls(config, endpoints);
        EtcdClients.checkOptions(config, tls);
        this.where = "etcd at " + endpoints;
        this.client = EtcdClients.create(config, endpoints, tls);
        this.kv = client.getKVClient();
        this.keys = new Keys(config.namespace());
        this.calls = new EtcdCalls(where, config.connectTimeout());
        this.endpoints = endpoints;
        this.decoder = new Decoder(keys, corrupt);
        this.scheduler = scheduler;
        int n = INSTANCES.incrementAndGet();
        this.events = Executors.newSingleThreadExecutor(daemon("bulwark-etcd-events-" + n));
        this.repairs = Executors.newSingleThreadExecutor(daemon("bulwark-etcd-leases-" + n));
        this.leases = new LeaseKeeper(client, calls, scheduler, repairs);
        this.reconnector = new Reconnector(client, endpoints, scheduler, repairs);
        calls.onUnavailable(reconnector::unavailable);
    }

    /**
     * A registry on the etcd servers {@code config} names (its type must be {@code ETCD}). It
     * connects lazily: a server that is down now fails the first calls, not this one.
     *
     * @throws InvalidConfigException if an endpoint, option or TLS file is invalid
     */
    public static EtcdRegistry connect(RegistryConfig config) {
        return connect(config, Scheduler.system());
    }

    /**
     * As {@link #connect(RegistryConfig)}, timing retries (watch resumes, lease repairs) on
     * {@code scheduler}: in tests, a virtual-time scheduler decides when a lost watch comes back.
     */
    public static EtcdRegistry connect(RegistryConfig config, Scheduler scheduler) {
        Check.notNull("config", config);
        Check.notNull("scheduler", scheduler);
        if (!RegistryConfig.ETCD.equals(config.type())) {
            throw new InvalidConfigException("type", config.type(), "etcd for an etcd registry");
        }
        return new EtcdRegistry(config, scheduler);
    }

    /** The values skipped because they were no valid instance: distinct keys bad now, and reads that met one. */
    public CorruptEntryCounts corruptEntries() {
        return corrupt.counts();
    }

    /** Where instances live: keys are {@code keyPrefix()/<service>/<instanceId>}. */
    public String keyPrefix() {
        return keys.prefix();
    }

    @Override
    public void register(ServiceInstance instance) {
        Check.notNull("instance", instance);
        open();
        String what = "register " + instance.service() + "/" + instance.id();
        ByteSequence key = keys.instance(instance.service(), instance.id());
        String keyText = Keys.text(key);
        byte[] value = InstanceJson.write(instance);
        ReentrantLock lock = leases.lock(keyText);
        lock.lock();
        try {
            if (instance.ttl().isZero()) {
                calls.await(kv.put(key, ByteSequence.from(value)), what); // no lease: stays until deregistered
                LeaseKeeper.Owned previous = leases.forget(keyText);
                if (previous != null) {
                    leases.revokeQuietly(previous.leaseId);
                }
                return;
            }
            long lease = leases.grant(instance.ttl(), what);
            try {
                calls.await(kv.put(key, ByteSequence.from(value), PutOption.builder().withLeaseId(lease).build()), what);
            } catch (RegistryException e) {
                leases.revokeQuietly(lease);
                throw e;
            }
            LeaseKeeper.Owned previous = leases.own(keyText, key, lease, instance, value);
            if (previous != null && previous.leaseId != lease) {
                leases.revokeQuietly(previous.leaseId); // the key moved to the new lease: revoking the old one keeps it
            }
        } finally {
            lock.unlock();
        }
    }

    /** Deletes the instance's key and revokes its lease; a deregister that fails still stops this client renewing it. */
    @Override
    public void deregister(String service, String instanceId) {
        Names.check("service", service);
        Names.check("instanceId", instanceId);
        open();
        String what = "deregister " + service + "/" + instanceId;
        ByteSequence key = keys.instance(service, instanceId);
        String keyText = Keys.text(key);
        ReentrantLock lock = leases.lock(keyText);
        lock.lock();
        try {
            LeaseKeeper.Owned mine = leases.forget(keyText);
            DeleteResponse deleted = calls.await(kv.delete(key, DeleteOption.builder().withPrevKV(true).build()), what);
            long lease = deleted.getPrevKvs().isEmpty() ? 0 : deleted.getPrevKvs().get(0).getLease();
            if (lease != 0) {
                leases.revokeIfUnused(lease, mine != null && mine.leaseId == lease, what);
            }
            if (mine != null && mine.leaseId != lease) {
                leases.revokeQuietly(mine.leaseId);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Replaces a registered instance's data, keeping its lease (its TTL does not change; register
     * again to change it). A compare-and-put on the key's revision, so the lease kept is the one
     * the key had when read.
     */
    @Override
    public void update(ServiceInstance instance) {
        Check.notNull("instance", instance);
        open();
        String what = "update " + instance.service() + "/" + instance.id();
        ByteSequence key = keys.instance(instance.service(), instance.id());
        String keyText = Keys.text(key);
        byte[] value = InstanceJson.write(instance);
        ReentrantLock lock = leases.lock(keyText);
        lock.lock();
        try {
            for (int attempt = 0; attempt < UPDATE_TRIES; attempt++) {
                GetResponse read = calls.await(kv.get(key), what);
                if (read.getKvs().isEmpty()) {
                    throw new RegistryException("cannot " + what + ": not registered");
                }
                KeyValue existing = read.getKvs().get(0);
                PutOption keepLease = PutOption.builder().withLeaseId(existing.getLease()).build();
                boolean written = calls.await(kv.txn()
                        .If(new Cmp(key, Cmp.Op.EQUAL, CmpTarget.modRevision(existing.getModRevision())))
                        .Then(Op.put(key, ByteSequence.from(value), keepLease))
                        .commit(), what).isSucceeded();
                if (written) {
                    LeaseKeeper.Owned mine = leases.owned(keyText);
                    if (mine != null && mine.leaseId == existing.getLease()) {
                        mine.instance = instance; // what a repair puts back if the lease is ever lost
                        mine.value = value;
                    }
                    return;
                }
            }
            throw new RegistryException("cannot " + what + ": it changed under every one of " + UPDATE_TRIES + " tries");
        } finally {
            lock.unlock();
        }
    }

    /** Renews the instance's lease once (the client keeps its own leases alive anyway). */
    @Override
    public void heartbeat(String service, String instanceId) {
        Names.check("service", service);
        Names.check("instanceId", instanceId);
        open();
        String what = "heartbeat " + service + "/" + instanceId;
        GetResponse read = calls.await(kv.get(keys.instance(service, instanceId)), what);
        if (read.getKvs().isEmpty()) {
            throw new RegistryException("cannot " + what + ": not registered (expired?)");
        }
        long lease = read.getKvs().get(0).getLease();
        if (lease != 0) {
            try {
                calls.await(client.getLeaseClient().keepAliveOnce(lease), what);
            } catch (RegistryException e) {
                if (EtcdCalls.notFound(e)) {
                    throw new RegistryException("cannot " + what + ": its lease expired", e);
                }
                throw e;
            }
        }
    }

    @Override
    public Optional<ServiceInstance> get(String service, String instanceId) {
        Names.check("service", service);
        Names.check("instanceId", instanceId);
        open();
        ByteSequence key = keys.instance(service, instanceId);
        GetResponse read;
        try {
            read = calls.await(kv.get(key), "get " + service + "/" + instanceId);
        } catch (RegistryException e) {
            if (EtcdCalls.code(e) != io.grpc.Status.Code.RESOURCE_EXHAUSTED) {
                throw e;
            }
            decoder.oversized(Keys.text(key), "a value larger than one message of " + EtcdClients.MAX_INBOUND_BYTES
                    + " bytes can carry");
            return Optional.empty();
        }
        return read.getKvs().isEmpty() ? Optional.empty() : decoder.instance(read.getKvs().get(0));
    }

    @Override
    public List<ServiceInstance> list(String service) {
        Names.check("service", service);
        open();
        List<ServiceInstance> out = new ArrayList<>();
        Set<String> bad = new java.util.HashSet<>();
        for (KeyValue entry : range(keys.service(service), "list " + service, bad)) {
            decoder.instance(entry).ifPresentOrElse(out::add, () -> bad.add(Keys.text(entry.getKey())));
        }
        corrupt.reconcile(Keys.text(keys.service(service)), bad);
        return out;
    }

    @Override
    public Map<String, List<ServiceInstance>> listAll() {
        open();
        Map<String, List<ServiceInstance>> out = new TreeMap<>();
        Set<String> bad = new java.util.HashSet<>();
        for (KeyValue entry : range(keys.all(), "list every service", bad)) {
            decoder.instance(entry).ifPresentOrElse(i -> out.computeIfAbsent(i.service(), s -> new ArrayList<>()).add(i),
                    () -> bad.add(Keys.text(entry.getKey())));
        }
        corrupt.reconcile(Keys.text(keys.all()), bad);
        return out;
    }

    /**
     * Watches {@code service} from the current revision on. If etcd cannot be reached now, the
     * watch still starts: the listener hears {@code onDisconnected} at once and
     * {@code onResumed(false)} when etcd answers.
     *
     * @throws RegistryException if etcd refuses (credentials, permissions) or the registry is closed
     */
    @Override
    public Watch watch(String service, WatchListener listener) {
        Names.check("service", service);
        Check.notNull("listener", listener);
        open();
        ByteSequence prefix = keys.service(service);
        long revision = 0;
        RegistryException unreachable = null;
        try {
            GetResponse now = calls.await(kv.get(prefix, GetOption.builder().isPrefix(true).withCountOnly(true).build()),
                    "watch " + service);
            revision = now.getHeader().getRevision();
        } catch (RegistryException e) {
            open();
            if (!EtcdCalls.transientFailure(e)) {
                throw e; // refused, not unreachable: retrying would not help
            }
            unreachable = e;
        }
        EtcdWatch watch = watches.open(onClose -> new EtcdWatch(service, prefix, listener, client, calls, decoder, events,
                scheduler, onClose));
        watch.start(revision, unreachable);
        return watch;
    }

    /** Stops every watch and keepalive and disconnects; leased registrations lapse after their TTLs. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        watches.closeAll();
        reconnector.close();
        leases.close();
        events.shutdown();
        repairs.shutdownNow();
        try {
            client.close();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "closing the jetcd client failed", e);
        }
    }

    @Override
    public String toString() {
        return "EtcdRegistry{" + where + ", prefix " + keys.prefix() + (closed ? ", closed" : "") + "}";
    }

    /**
     * Every key-value under {@code prefix}, in pages read at the revision of the first. A page too
     * large for one gRPC message (a few large values) is asked again at half the keys; a single
     * value too large even alone is one corrupt entry, skipped by its key, never the end of the read.
     */
    private List<KeyValue> range(ByteSequence prefix, String what, Set<String> oversized) {
        ByteSequence end = OptionsUtil.prefixEndOf(prefix);
        ByteSequence from = prefix;
        long revision = 0;
        int limit = PAGE;
        List<KeyValue> out = new ArrayList<>();
        while (true) {
            GetResponse page;
            try {
                page = calls.await(kv.get(from, GetOption.builder().withRange(end).withLimit(limit)
                        .withRevision(revision).build()), what);
            } catch (RegistryException e) {
                if (EtcdCalls.code(e) != io.grpc.Status.Code.RESOURCE_EXHAUSTED) {
                    throw e;
                }
                if (limit > 1) {
                    limit = Math.max(1, limit / 2);
                    continue;
                }
                ByteSequence key = oversizedKeyAt(from, end, revision, what);
                if (key == null) {
                    return out;
                }
                oversized.add(Keys.text(key));
                from = key.concat(ByteSequence.from(new byte[] {0}));
                continue;
            }
            if (revision == 0) {
                revision = page.getHeader().getRevision();
            }
            out.addAll(page.getKvs());
            if (!page.isMore() || page.getKvs().isEmpty()) {
                return out;
            }
            ByteSequence last = page.getKvs().get(page.getKvs().size() - 1).getKey();
            from = last.concat(ByteSequence.from(new byte[] {0}));
        }
    }

    /** The key at {@code from} holds a value too large to fetch: count it, and return it (null: no key there). */
    private ByteSequence oversizedKeyAt(ByteSequence from, ByteSequence end, long revision, String what) {
        GetResponse keyOnly = calls.await(kv.get(from, GetOption.builder().withRange(end).withLimit(1).withKeysOnly(true)
                .withRevision(revision).build()), what);
        if (keyOnly.getKvs().isEmpty()) {
            return null;
        }
        ByteSequence key = keyOnly.getKvs().get(0).getKey();
        decoder.oversized(Keys.text(key), "a value larger than one message of " + EtcdClients.MAX_INBOUND_BYTES
                + " bytes can carry");
        return key;
    }

    private void open() {
        if (closed) {
            throw new RegistryException("the etcd registry is closed");
        }
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return task -> {
            Thread thread = new Thread(task, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
