package dev.bulwark.discovery.zookeeper;

import dev.bulwark.InvalidConfigException;
import dev.bulwark.discovery.RegistryConfig;
import dev.bulwark.discovery.RegistryException;
import dev.bulwark.discovery.ServiceInstance;
import dev.bulwark.discovery.ServiceRegistry;
import dev.bulwark.discovery.Watch;
import dev.bulwark.discovery.WatchListener;
import dev.bulwark.internal.Check;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.KeeperException;

/**
 * A {@link ServiceRegistry} on Apache ZooKeeper, through Apache Curator.
 *
 * <pre>{@code
 * ServiceRegistry registry = Registries.create(RegistryConfig.builder(RegistryConfig.ZOOKEEPER)
 *     .endpoints("10.0.0.1:2181", "10.0.0.2:2181")
 *     .namespace("/bulwark/services")          // the default
 *     .sessionTimeout(Duration.ofSeconds(15))  // how long registrations outlive a silent client
 *     .credentials("svc", secret)              // optional: digest ACL, this identity only
 *     .build());
 * }</pre>
 *
 * <ul>
 *   <li><b>Layout.</b> Each instance is a JSON document ({@link InstanceCodec}) in an ephemeral
 *       znode {@code <namespace>/<service>/<instanceId>}; the parents are container nodes, which
 *       ZooKeeper removes once empty.</li>
 *   <li><b>Liveness.</b> An ephemeral node lives as long as this client's session, which Curator
 *       keeps alive by itself: the registration lapses {@link RegistryConfig#sessionTimeout() the
 *       session timeout} after the process dies or is cut off. That is this backend's TTL; an
 *       instance's own {@link ServiceInstance#ttl()} is stored but not enforced, and
 *       {@link #heartbeat} only checks that the node is there.</li>
 *   <li><b>Session loss.</b> After the session expires and the client reconnects, every
 *       registration this client made is created again ({@link OwnRegistrations}).</li>
 *   <li><b>Watches</b> follow the service through a Curator cache ({@link CacheWatch}); after a
 *       disconnect they report {@code onResumed(false)}, asking for a full re-read. A write
 *       through this registry returns once this registry's own watches of that service have
 *       reported it, so they hear each of its changes with its own data; changes by other clients
 *       in quick succession may arrive merged into the latest state.</li>
 *   <li><b>Corrupt data</b> (not JSON, missing or wrong fields, an id that does not match its path)
 *       is skipped wherever it is read, logged at WARNING and counted in {@link #corruptEntries()}.</li>
 *   <li><b>Credentials</b> ({@link RegistryConfig#username()}) authenticate the client with the
 *       {@code digest} scheme, and every node it creates carries an ACL giving that identity every
 *       permission and nobody else any.</li>
 *   <li><b>Bounded calls.</b> Every call waits at most about the connect timeout (retrying with
 *       exponential backoff inside it), then fails with a {@link RegistryException} saying what
 *       could not be done, where and why.</li>
 * </ul>
 */
public final class ZooKeeperRegistry implements ServiceRegistry {
    private static final System.Logger LOG = System.getLogger("dev.bulwark.discovery.zookeeper");

    private final CuratorFramework client;
    private final Layout layout;
    private final Duration connectTimeout;
    private final Errors errors;
    private final OwnRegistrations registrations;
    private final Set<CacheWatch> watches = ConcurrentHashMap.newKeySet();
    private final dev.bulwark.discovery.internal.CorruptEntries corrupt =
            new dev.bulwark.discovery.internal.CorruptEntries("ZooKeeper", LOG);
    /** Curator's single thread for listener callbacks ("safe notify"): every watch delivers on it. */
    private volatile Thread notifyThread;
    private volatile boolean closed;

    private ZooKeeperRegistry(CuratorFramework client, Layout layout, Duration connectTimeout, String connectString) {
        this.client = client;
        this.layout = layout;
        this.connectTimeout = connectTimeout;
        this.errors = new Errors(connectString, connectTimeout);
        this.registrations = new OwnRegistrations(client, errors);
    }

    /**
     * Connects to the ZooKeeper ensemble {@code config} names, waiting up to its connect timeout.
     *
     * @throws InvalidConfigException if {@code config} is not a usable ZooKeeper configuration
     * @throws RegistryException if no server answers within the connect timeout
     */
    public static ZooKeeperRegistry connect(RegistryConfig config) {
        Check.notNull("config", config);
        if (!RegistryConfig.ZOOKEEPER.equals(config.type())) {
            throw new InvalidConfigException("type", config.type(), "zookeeper for a ZooKeeperRegistry");
        }
        Layout layout = Layout.of(config.namespace());
        String connectString = CuratorClients.connectString(config.endpoints());
        CuratorFramework client = CuratorClients.create(config);
        ZooKeeperRegistry registry = new ZooKeeperRegistry(client, layout, config.connectTimeout(), connectString);
        client.getConnectionStateListenable().addListener(registry.registrations);
        client.start();
        boolean connected;
        try {
            connected = client.blockUntilConnected((int) Math.max(1, config.connectTimeout().toMillis()), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            client.close();
            Thread.currentThread().interrupt();
            throw new RegistryException("connecting to ZooKeeper at " + connectString + ": interrupted", e);
        }
        if (!connected) {
            client.close();
            throw new RegistryException("cannot connect to ZooKeeper at " + connectString + " within " + config.connectTimeout());
        }
        client.runSafe(() -> registry.notifyThread = Thread.currentThread()).join(); // one thread for the client's life
        return registry;
    }

    @Override
    public void register(ServiceInstance instance) {
        Check.notNull("instance", instance);
        String what = "register " + instance.service() + "/" + instance.id();
        open(what);
        long zxid = registrations.register(what, layout.instancePath(instance.service(), instance.id()), InstanceCodec.encode(instance));
        awaitOwnWatches(instance.service(), instance.id(), zxid);
    }

    @Override
    public void deregister(String service, String instanceId) {
        String what = "deregister " + service + "/" + instanceId;
        String path = layout.instancePath(service, instanceId);
        open(what);
        registrations.deregister(what, path);
        awaitOwnWatches(service, instanceId, -1);
    }

    @Override
    public void update(ServiceInstance instance) {
        Check.notNull("instance", instance);
        String what = "update " + instance.service() + "/" + instance.id();
        open(what);
        long zxid = registrations.update(what, layout.instancePath(instance.service(), instance.id()), InstanceCodec.encode(instance));
        awaitOwnWatches(instance.service(), instance.id(), zxid);
    }

    /** Checks the instance's node is there; the session, not this call, keeps it alive. */
    @Override
    public void heartbeat(String service, String instanceId) {
        String what = "heartbeat " + service + "/" + instanceId;
        String path = layout.instancePath(service, instanceId);
        open(what);
        if (errors.run(what, () -> client.checkExists().forPath(path)) == null) {
            throw new RegistryException(what + ": not registered (its session ended, or it was deregistered)");
        }
    }

    @Override
    public Optional<ServiceInstance> get(String service, String instanceId) {
        String what = "get " + service + "/" + instanceId;
        String path = layout.instancePath(service, instanceId);
        open(what);
        byte[] data = errors.run(what, () -> {
            try {
                return client.getData().forPath(path);
            } catch (KeeperException.NoNodeException e) {
                return null;
            }
        });
        return data == null ? Optional.empty() : Optional.ofNullable(decode(service, instanceId, data, path));
    }

    @Override
    public List<ServiceInstance> list(String service) {
        String what = "list " + service;
        String servicePath = layout.servicePath(service);
        open(what);
        List<String> ids = errors.run(what, () -> {
            try {
                return client.getChildren().forPath(servicePath);
            } catch (KeeperException.NoNodeException e) {
                return List.<String>of();
            }
        });
        Map<String, byte[]> data = readAll(what, servicePath, ids);
        List<ServiceInstance> instances = new ArrayList<>(data.size());
        java.util.Set<String> bad = new java.util.HashSet<>();
        data.forEach((id, bytes) -> {
            String path = ZKPaths.makePath(servicePath, id);
            ServiceInstance instance = decode(service, id, bytes, path);
            if (instance != null) {
                instances.add(instance);
            } else {
                bad.add(path);
            }
        });
        corrupt.reconcile(servicePath + "/", bad);
        return instances;
    }

    @Override
    public Map<String, List<ServiceInstance>> listAll() {
        String what = "list all services";
        open(what);
        List<String> services = errors.run(what, () -> {
            try {
                return client.getChildren().forPath(layout.root());
            } catch (KeeperException.NoNodeException e) {
                return List.<String>of();
            }
        });
        Map<String, List<ServiceInstance>> all = new TreeMap<>();
        for (String service : services) {
            try {
                Layout.name("service", service);
            } catch (InvalidConfigException foreign) {
                LOG.log(System.Logger.Level.DEBUG, "ignoring " + layout.root() + "/" + service + ": not a service name");
                continue;
            }
            List<ServiceInstance> instances = list(service);
            if (!instances.isEmpty()) {
                all.put(service, instances);
            }
        }
        return all;
    }

    /**
     * Watches {@code service}; returns once the watch has loaded the service (or after the connect
     * timeout, if ZooKeeper is unreachable: the watch then starts disconnected and resumes by itself).
     *
     * @throws RegistryException if ZooKeeper refuses this client the service (NoAuth)
     */
    @Override
    public Watch watch(String service, WatchListener listener) {
        String servicePath = layout.servicePath(service);
        Check.notNull("listener", listener);
        if (closed) {
            throw new RegistryException("watch " + service + ": the registry is closed");
        }
        CacheWatch watch = new CacheWatch(client, notifyThread, service, servicePath, listener, this::decode, errors,
                watches::remove);
        watches.add(watch);
        try {
            return watch.start(connectTimeout);
        } catch (RuntimeException e) {
            watches.remove(watch);
            throw e;
        }
    }

    /** The nodes skipped because they held no valid instance: distinct nodes bad now, and reads that met one. */
    public dev.bulwark.discovery.CorruptEntryCounts corruptEntries() {
        return corrupt.counts();
    }

    /** Stops every watch and ends the session: ZooKeeper removes this client's registrations at once. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        new ArrayList<>(watches).forEach(CacheWatch::close);
        registrations.close();
        client.close();
    }

    @Override
    public String toString() {
        return "ZooKeeperRegistry{" + errors.connectString() + layout.root() + (closed ? ", closed" : "") + '}';
    }

    /** The Curator client underneath, for tests that expire its session or write raw nodes. */
    CuratorFramework curator() {
        return client;
    }

    /**
     * Returns once this registry's own watches on {@code service} have reported the write (or its
     * deletion, for a negative zxid), so that a client watching what it writes hears every change
     * with its own data, in order, as with the in-memory registry. Bounded by the connect timeout.
     */
    private void awaitOwnWatches(String service, String instanceId, long zxid) {
        for (CacheWatch watch : watches) {
            if (watch.service().equals(service)) {
                watch.awaitDelivered(instanceId, zxid, connectTimeout);
            }
        }
    }

    /** Reads every instance node under {@code servicePath} at once (in parallel); vanished ones are left out. */
    private Map<String, byte[]> readAll(String what, String servicePath, List<String> ids) {
        Map<String, byte[]> found = new ConcurrentHashMap<>();
        if (ids.isEmpty()) {
            return found;
        }
        CountDownLatch done = new CountDownLatch(ids.size());
        AtomicReference<Exception> failure = new AtomicReference<>();
        for (String id : ids) {
            String path = ZKPaths.makePath(servicePath, id);
            errors.run(what, () -> client.getData().inBackground((c, event) -> {
                int rc = event.getResultCode();
                if (rc == KeeperException.Code.OK.intValue()) {
                    found.put(id, event.getData() == null ? new byte[0] : event.getData());
                } else if (rc != KeeperException.Code.NONODE.intValue()) {
                    failure.compareAndSet(null, KeeperException.create(KeeperException.Code.get(rc), path));
                }
                done.countDown();
            }).forPath(path));
        }
        boolean finished = errors.run(what, () -> done.await(Math.max(1, connectTimeout.toMillis()), TimeUnit.MILLISECONDS));
        if (!finished) {
            throw errors.unreachable(what, null);
        }
        if (failure.get() != null) {
            throw errors.translate(what, failure.get());
        }
        return found;
    }

    /** The instance in {@code data}, or null, counted and logged, when it is not one. */
    private ServiceInstance decode(String service, String instanceId, byte[] data, String path) {
        try {
            ServiceInstance instance = InstanceCodec.decode(service, instanceId, data);
            corrupt.cleared(path);
            return instance;
        } catch (IllegalArgumentException e) {
            corrupt.skipped(path, e.getMessage() + (data == null ? "" : " (" + InstanceCodec.preview(data) + ")"));
            return null;
        }
    }

    /**
     * Fails unless the registry is open and connected, waiting up to the connect timeout for a
     * lost connection to come back. Curator would wait too, but then also let ZooKeeper's client
     * retry its own connection before failing, which can double the wait.
     */
    private void open(String what) {
        if (closed) {
            throw new RegistryException(what + ": the registry is closed");
        }
        if (!client.getZookeeperClient().isConnected()) {
            boolean connected = errors.run(what, () -> client.blockUntilConnected((int) Math.max(1, connectTimeout.toMillis()),
                    TimeUnit.MILLISECONDS));
            if (!connected) {
                throw errors.unreachable(what, null);
            }
        }
    }
}
