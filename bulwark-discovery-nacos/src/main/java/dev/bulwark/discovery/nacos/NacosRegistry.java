package dev.bulwark.discovery.nacos;

import com.alibaba.nacos.api.exception.NacosException;
import com.alibaba.nacos.api.naming.NamingFactory;
import com.alibaba.nacos.api.naming.NamingService;
import com.alibaba.nacos.api.naming.pojo.Instance;
import com.alibaba.nacos.api.naming.pojo.ListView;
import dev.bulwark.InvalidConfigException;
import dev.bulwark.discovery.Names;
import dev.bulwark.discovery.RegistryConfig;
import dev.bulwark.discovery.RegistryException;
import dev.bulwark.discovery.ServiceInstance;
import dev.bulwark.discovery.ServiceRegistry;
import dev.bulwark.discovery.Watch;
import dev.bulwark.discovery.WatchListener;
import dev.bulwark.internal.Check;
import dev.bulwark.time.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * A {@link ServiceRegistry} on Nacos (2.x and 3.x servers), through nacos-client's
 * {@link NamingService}.
 *
 * <pre>{@code
 * ServiceRegistry registry = Registries.create(RegistryConfig.builder(RegistryConfig.NACOS)
 *     .endpoints("10.0.0.1:8848", "10.0.0.2:8848")   // HTTP ports; gRPC is on port + 1000
 *     .namespace("prod")                             // a Nacos namespace id; empty for "public"
 *     .option("group", "payments")                   // default DEFAULT_GROUP
 *     .credentials("svc", secret)                    // when the server has auth on
 *     .build());
 * }</pre>
 *
 * <ul>
 *   <li><b>Instances</b> are Nacos instances of the service in the configured group and cluster,
 *       Bulwark's fields in their metadata ({@link InstanceMapping}): other Nacos clients see
 *       them as ordinary instances, and instances they register are read with defaults.</li>
 *   <li><b>Ephemeral by default.</b> An ephemeral instance lives as long as this client's gRPC
 *       connection, which nacos-client keeps alive and re-establishes by itself (re-registering
 *       every instance after a reconnect, so a registration that failed for want of a connection
 *       may still take effect once it is back). That is this backend's TTL: an instance's own
 *       {@link ServiceInstance#ttl()} is stored but not enforced, and it expires when this client
 *       closes or is cut off. {@link #heartbeat} only checks the instance is registered. Nacos
 *       keeps one publication per service and connection, so this client publishes all its
 *       instances of a service together ({@link EphemeralRegistrations}), and only the client that
 *       registered an ephemeral instance can change or remove it. With option
 *       {@code ephemeral=false}, instances are persistent: they stay until deregistered, Nacos's
 *       own health checks decide their health, and any client can change them.</li>
 *   <li><b>Reads</b> ({@code getAllInstances} without subscribing) ask the server each time. The
 *       server answers from a snapshot it refreshes about half a second after each change; for a
 *       few seconds after a write, this client's own change overrides that answer
 *       ({@link OwnWrites}), so a client always reads its own writes.</li>
 *   <li><b>Watches</b> subscribe to the service; nacos-client pushes its whole list after each
 *       change, and the differences from the list last reported become CREATED, UPDATED and
 *       DELETED events ({@link PushDiff}). An empty push is reported as every instance DELETED:
 *       the registry reports what it is told, and {@code DiscoveryCache} refuses to empty its
 *       list until a read confirms it. This client's own changes are reported at once, in the
 *       order it made them; another client's that come and go between two pushes are not seen.
 *       A lost connection is reported ({@code onDisconnected}); when it is back, {@code
 *       onResumed(false)} asks for a full read, since Nacos replays no missed changes.</li>
 *   <li><b>Corrupt instances</b> (unreadable Bulwark metadata) are left out of every read and
 *       push, logged once each and counted in {@link #corruptEntries()}.</li>
 *   <li><b>Every call is bounded</b> by the config's connect timeout (nacos-client's request
 *       timeout) and fails with a {@link RegistryException} naming the operation, the servers and
 *       Nacos's error code and message.</li>
 * </ul>
 *
 * <p>nacos-client keeps an on-disk copy of subscribed services under {@code user.home} unless
 * option {@code cache-dir} (or the {@code JM.SNAPSHOT.PATH} system property) says otherwise, and
 * logs through SLF4J; only with Logback or Log4j 2 as the SLF4J binding does it also write log
 * files of its own (under {@code JM.LOG.PATH}; {@code -Dnacos.logging.default.config.enabled=false}
 * stops that).
 */
public final class NacosRegistry implements ServiceRegistry {
    private static final System.Logger LOG = System.getLogger("dev.bulwark.discovery.nacos");
    /** Service names per page when listing every service. */
    private static final int PAGE = 500;
    private static final Duration STATUS_CHECK = Duration.ofSeconds(1);
    /** Bulwark's name rule ({@link Names}), to leave out services it cannot hold. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._:\\-]{1,200}");
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final NamingService naming;
    private final NacosSettings settings;
    private final NacosCalls calls;
    private final Scheduler scheduler;
    private final long settleNanos;
    private final OwnWrites ownWrites;
    private final EphemeralRegistrations ephemeral;
    private final dev.bulwark.discovery.internal.CorruptEntries corrupt =
            new dev.bulwark.discovery.internal.CorruptEntries("Nacos", System.getLogger("dev.bulwark.discovery.nacos"));
    private final ExecutorService events;
    private final ExecutorService checks;
    private final ConnectionMonitor monitor;
    private final dev.bulwark.discovery.internal.OpenWatches<NacosWatch> watches = new dev.bulwark.discovery.internal.OpenWatches<>();
    private volatile boolean closed;

    private NacosRegistry(NamingService naming, NacosSettings settings, Scheduler scheduler) {
        this.naming = naming;
        this.settings = settings;
        this.calls = new NacosCalls(settings.toString());
        this.scheduler = scheduler;
        this.settleNanos = Check.nanos(settings.settle);
        this.ownWrites = new OwnWrites(scheduler.ticker(), settleNanos);
        this.ephemeral = new EphemeralRegistrations(naming, calls, settings.group, settings.cluster);
        int n = INSTANCES.incrementAndGet();
        this.events = Executors.newSingleThreadExecutor(daemon("bulwark-nacos-events-" + n));
        this.checks = Executors.newSingleThreadExecutor(daemon("bulwark-nacos-status-" + n));
        this.monitor = new ConnectionMonitor(naming, scheduler, Check.nanos(STATUS_CHECK), checks, this::connectionChanged).start();
    }

    /**
     * A registry on the Nacos servers {@code config} names (its type must be {@code NACOS}).
     * nacos-client tries to connect before this returns (a few attempts, each bounded by the
     * connect timeout) and keeps trying in the background: a server that is down fails the
     * calls, not this one.
     *
     * @throws InvalidConfigException if an endpoint, the namespace or an option is invalid
     * @throws RegistryException if nacos-client refuses its configuration
     */
    public static NacosRegistry connect(RegistryConfig config) {
        return connect(config, Scheduler.system());
    }

    /**
     * As {@link #connect(RegistryConfig)}, timing the connection checks and the end of each
     * write's {@link OwnWrites settle} period on {@code scheduler}.
     */
    public static NacosRegistry connect(RegistryConfig config, Scheduler scheduler) {
        NacosSettings settings = NacosSettings.of(config);
        Check.notNull("scheduler", scheduler);
        NamingService naming;
        try {
            naming = NamingFactory.createNamingService(settings.clientProperties);
        } catch (NacosException | RuntimeException e) {
            throw new RegistryException("cannot create a Nacos client for " + settings + ": " + e.getMessage(), e);
        }
        return new NacosRegistry(naming, settings, scheduler);
    }

    /** A registry over an existing naming service (tests stand a fake server behind one). */
    static NacosRegistry over(NamingService naming, RegistryConfig config, Scheduler scheduler) {
        return new NacosRegistry(naming, NacosSettings.of(config), scheduler);
    }

    /** The instances skipped because they were no valid Bulwark instance: distinct ones bad now, and reads that met one. */
    public dev.bulwark.discovery.CorruptEntryCounts corruptEntries() {
        return corrupt.counts();
    }

    @Override
    public void register(ServiceInstance instance) {
        Check.notNull("instance", instance);
        String what = "register " + instance.service() + "/" + instance.id();
        open(what);
        if (settings.ephemeral) {
            ephemeral.register(what, instance);
        } else {
            Instance nacos = InstanceMapping.toNacos(instance, settings.cluster, false);
            Instance before = find(what, instance.service(), instance.id());
            calls.run(what, () -> {
                naming.registerInstance(instance.service(), settings.group, nacos);
                return null;
            });
            withdrawOldAddress(what, instance.service(), before, nacos);
        }
        ownWrites.registered(instance);
        echo(instance.service(), instance.id(), instance);
    }

    @Override
    public void deregister(String service, String instanceId) {
        Check.name("service", service);
        Check.name("instanceId", instanceId);
        String what = "deregister " + service + "/" + instanceId;
        open(what);
        if (!(settings.ephemeral && ephemeral.deregister(what, service, instanceId))) {
            Instance existing = find(what, service, instanceId);
            if (existing != null) {
                refuseForeignEphemeral(what, existing);
                calls.run(what, () -> {
                    naming.deregisterInstance(service, settings.group, existing);
                    return null;
                });
            }
        }
        ownWrites.deregistered(service, instanceId);
        echo(service, instanceId, null);
    }

    /** Registers the instance again with its new data. Persistent instances keep their cluster. */
    @Override
    public void update(ServiceInstance instance) {
        Check.notNull("instance", instance);
        String service = instance.service();
        String what = "update " + service + "/" + instance.id();
        open(what);
        if (settings.ephemeral && ephemeral.owns(service, instance.id())) {
            ephemeral.register(what, instance);
        } else {
            Instance existing = find(what, service, instance.id());
            if (existing == null) {
                throw new RegistryException("cannot " + what + ": not registered");
            }
            refuseForeignEphemeral(what, existing);
            String cluster = existing.getClusterName() == null ? settings.cluster : existing.getClusterName();
            Instance nacos = InstanceMapping.toNacos(instance, cluster, false);
            calls.run(what, () -> {
                naming.registerInstance(service, settings.group, nacos);
                return null;
            });
            withdrawOldAddress(what, service, existing, nacos);
        }
        ownWrites.registered(instance);
        echo(service, instance.id(), instance);
    }

    /** Checks that the instance is registered; the client's connection, not this call, keeps ephemeral instances alive. */
    @Override
    public void heartbeat(String service, String instanceId) {
        String what = "heartbeat " + service + "/" + instanceId;
        open(what);
        if (!view(what, service).containsKey(instanceId)) {
            throw new RegistryException("cannot " + what + ": not registered (deregistered, or the client that registered it"
                    + " disconnected)");
        }
    }

    @Override
    public Optional<ServiceInstance> get(String service, String instanceId) {
        String what = "get " + service + "/" + instanceId;
        open(what);
        return Optional.ofNullable(view(what, service).get(instanceId));
    }

    @Override
    public List<ServiceInstance> list(String service) {
        String what = "list " + service;
        open(what);
        return new ArrayList<>(view(what, service).values());
    }

    /** Every service of the group with at least one instance. Names Bulwark cannot hold are left out. */
    @Override
    public Map<String, List<ServiceInstance>> listAll() {
        String what = "list all services of group " + settings.group;
        open(what);
        Set<String> names = new TreeSet<>(ownWrites.recentServices());
        for (int page = 1; ; page++) {
            int pageNo = page;
            ListView<String> view = calls.call(what, () -> naming.getServicesOfServer(pageNo, PAGE, settings.group));
            List<String> data = view == null || view.getData() == null ? List.of() : view.getData();
            data.stream().filter(name -> NAME.matcher(name).matches()).forEach(names::add);
            if (data.isEmpty() || (long) page * PAGE >= view.getCount()) {
                break;
            }
        }
        Map<String, List<ServiceInstance>> all = new TreeMap<>();
        for (String service : names) {
            List<ServiceInstance> instances = new ArrayList<>(view(what, service).values());
            if (!instances.isEmpty()) {
                all.put(service, instances);
            }
        }
        return all;
    }

    @Override
    public Watch watch(String service, WatchListener listener) {
        Names.check("service", service);
        Check.notNull("listener", listener);
        String what = "watch " + service;
        open(what);
        Map<String, ServiceInstance> seed = decode(service, query(what, service));
        NacosWatch watch = watches.open(onClose -> new NacosWatch(service, listener, events, seed,
                list -> decode(service, list), ownWrites.copyOf(service), onClose), this::unsubscribe);
        try {
            calls.run(what, () -> {
                naming.subscribe(service, settings.group, watch.subscription());
                return null;
            });
        } catch (RegistryException e) {
            watches.forget(watch);
            throw e;
        }
        return watch;
    }

    /** Stops every watch and disconnects: this client's ephemeral instances go at once. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        monitor.stop();
        watches.closeAll();
        try {
            naming.shutDown();
        } catch (NacosException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "shutting nacos-client down failed", e);
        }
        events.shutdown();
        checks.shutdownNow();
    }

    @Override
    public String toString() {
        return "NacosRegistry{" + settings + (settings.ephemeral ? "" : ", persistent") + (closed ? ", closed" : "") + "}";
    }

    /** The service's instances as the server lists them, with this client's recent writes applied. */
    private Map<String, ServiceInstance> view(String what, String service) {
        return ownWrites.overlay(service, decode(service, query(what, service)));
    }

    private List<Instance> query(String what, String service) {
        List<Instance> answer = calls.call(what, () -> naming.getAllInstances(service, settings.group, false));
        return answer == null ? List.of() : answer;
    }

    private Map<String, ServiceInstance> decode(String service, List<Instance> instances) {
        Map<String, ServiceInstance> out = new LinkedHashMap<>();
        java.util.Set<String> bad = new java.util.HashSet<>();
        for (Instance nacos : instances) {
            try {
                ServiceInstance instance = InstanceMapping.fromNacos(service, nacos);
                out.put(instance.id(), instance);
            } catch (CorruptInstanceException e) {
                String key = service + "/" + InstanceMapping.describe(nacos);
                bad.add(key);
                corrupt.skipped(key, e.getMessage());
            }
        }
        corrupt.reconcile(service + "/", bad);
        return out;
    }

    /**
     * The Nacos instance that holds {@code service}/{@code instanceId} (corrupt or not), or null:
     * this client's recent writes first, then the server's answer.
     */
    private Instance find(String what, String service, String instanceId) {
        if (ownWrites.recentlyDeregistered(service, instanceId)) {
            return null;
        }
        ServiceInstance mine = ownWrites.recentlyRegistered(service, instanceId);
        if (mine != null) {
            return InstanceMapping.toNacos(mine, settings.cluster, settings.ephemeral);
        }
        for (Instance nacos : query(what, service)) {
            if (instanceId.equals(InstanceMapping.idOf(service, nacos))) {
                return nacos;
            }
        }
        return null;
    }

    private static void refuseForeignEphemeral(String what, Instance existing) {
        if (existing.isEphemeral()) {
            throw new RegistryException("cannot " + what + ": it is an ephemeral instance registered by another Nacos client ("
                    + InstanceMapping.describe(existing) + "), and Nacos lets only that client change or remove it");
        }
    }

    /** After a persistent instance moved to another address, removes it from the old one (Nacos keys instances by address). */
    private void withdrawOldAddress(String what, String service, Instance before, Instance now) {
        if (before != null && !before.isEphemeral() && !(before.getIp().equals(now.getIp()) && before.getPort() == now.getPort()
                && String.valueOf(before.getClusterName()).equals(now.getClusterName()))) {
            calls.run(what + " (withdrawing its old address " + InstanceMapping.describe(before) + ")", () -> {
                naming.deregisterInstance(service, settings.group, before);
                return null;
            });
        }
    }

    /**
     * Lets this client's watches of {@code service} report its own change ({@code instance}, or
     * null when deregistered) now, and the server's list once the change has settled.
     */
    private void echo(String service, String instanceId, ServiceInstance instance) {
        for (NacosWatch watch : watches) {
            if (watch.service().equals(service)) {
                watch.wrote(instanceId, instance);
                scheduler.schedule(watch::refresh, settleNanos + 1);
            }
        }
    }

    private void unsubscribe(NacosWatch watch) {
        if (closed) {
            return; // shutting the client down drops every subscription
        }
        try {
            naming.unsubscribe(watch.service(), settings.group, watch.subscription());
        } catch (NacosException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "unsubscribing from " + watch.service() + " failed; its events are dropped anyway", e);
        }
    }

    private void connectionChanged(boolean up) {
        if (up) {
            LOG.log(System.Logger.Level.INFO, "connection to " + settings + " is back");
            watches.forEach(NacosWatch::resumed);
        } else {
            RegistryException lost = new RegistryException("lost the connection to " + settings);
            LOG.log(System.Logger.Level.WARNING, lost.getMessage() + "; nacos-client keeps reconnecting");
            watches.forEach(w -> w.disconnected(lost));
        }
    }

    private void open(String what) {
        if (closed) {
            throw new RegistryException("cannot " + what + ": the Nacos registry is closed");
        }
    }

    private static ThreadFactory daemon(String name) {
        return task -> {
            Thread thread = new Thread(task, name);
            thread.setDaemon(true);
            return thread;
        };
    }
}
