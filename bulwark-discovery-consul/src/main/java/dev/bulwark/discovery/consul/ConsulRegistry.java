package dev.bulwark.discovery.consul;

import dev.bulwark.InvalidConfigException;
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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import okhttp3.ConnectionPool;
import org.kiwiproject.consul.Consul;
import org.kiwiproject.consul.NotRegisteredException;

/**
 * A {@link ServiceRegistry} on HashiCorp Consul, through the agent HTTP API with kiwiproject's
 * consul-client.
 *
 * <ul>
 *   <li><b>Registration.</b> An instance is a service registered with the agent
 *       ({@code PUT /v1/agent/service/register}): name, id, address, port, tags and weights as
 *       Consul's fields; every Bulwark field (version, protocol, zone, weight, health, times, TTL,
 *       metadata) in the service meta under {@code bulwark-} keys, a metadata key Consul cannot
 *       hold escaped under {@code bulwark-m-}. Consul's service ids are unique per agent, not per
 *       service: keep instance ids distinct across services (the default ids are).</li>
 *   <li><b>TTLs are Consul TTL checks.</b> Each instance has one, {@code service:<id>}, passing
 *       from the start. An instance with a TTL must be {@link #heartbeat heartbeated} within it
 *       ({@code PUT /v1/agent/check/pass/service:<id>}); when it is not, the check turns critical,
 *       the instance is gone from every read and watch here, and Consul removes it after
 *       {@code option.deregister-critical-after} (default 1m). An instance without a TTL gets a
 *       check of the config's session timeout that this client passes by itself until the
 *       instance is deregistered or the registry closed, registering it again if the agent lost
 *       it.</li>
 *   <li><b>Reads</b> go through the health endpoint ({@code GET /v1/health/service/<name>}), every
 *       instance whatever its checks say. Consul's checks only lower the health an instance
 *       registered with: another critical check makes it DOWN, passing and warning keep it.
 *       {@code listAll} reads the catalog's service names first.</li>
 *   <li><b>Watches</b> are blocking queries on that endpoint, one daemon thread each, answers
 *       diffed into events; they survive outages, deliver what changed meanwhile, then report
 *       {@code onResumed(true)}. Consul answers with states, not a history: changes by other
 *       clients between two answers can arrive merged. A write through this registry returns once
 *       this registry's watches of that service have delivered it, so its own changes never
 *       are.</li>
 *   <li><b>Corrupt entries are skipped.</b> A service whose Bulwark meta does not parse is left out
 *       of every read and watch, counted ({@link #corruptEntries()}) and logged once.</li>
 *   <li><b>Nothing waits forever.</b> Every request gives up after the connect and read timeouts
 *       with a {@link RegistryException} naming the agent, the operation and Consul's answer.</li>
 * </ul>
 *
 * <pre>{@code
 * ServiceRegistry registry = Registries.create(RegistryConfig.builder(RegistryConfig.CONSUL)
 *     .endpoints("http://127.0.0.1:8500")
 *     .option("token", aclToken)
 *     .build());
 * }</pre>
 *
 * Options are described in full on {@link #connect(RegistryConfig)}.
 */
public final class ConsulRegistry implements ServiceRegistry {
    private static final System.Logger LOG = System.getLogger("dev.bulwark.discovery.consul");
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final ConsulSettings settings;
    private final Scheduler scheduler;
    private final ConnectionPool pool = new ConnectionPool();
    private final Consul client;
    private final Calls calls;
    private final dev.bulwark.discovery.internal.CorruptEntries corrupt =
            new dev.bulwark.discovery.internal.CorruptEntries("Consul", System.getLogger("dev.bulwark.discovery.consul"));
    private final HealthReader reader;
    private final ExecutorService ownRenewals;
    private final Sessions sessions;
    private final dev.bulwark.discovery.internal.OpenWatches<ConsulWatch> watches = new dev.bulwark.discovery.internal.OpenWatches<>();
    private volatile boolean closed;

    private ConsulRegistry(ConsulSettings settings, Scheduler scheduler, Executor renewals) {
        this.settings = settings;
        this.scheduler = scheduler;
        this.client = settings.client(pool);
        this.calls = new Calls(settings.where());
        this.reader = new HealthReader(settings.datacenter, corrupt);
        if (renewals == null) {
            String name = "bulwark-consul-renewals-" + INSTANCES.incrementAndGet();
            this.ownRenewals = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, name);
                t.setDaemon(true);
                return t;
            });
            renewals = ownRenewals;
        } else {
            this.ownRenewals = null;
        }
        this.sessions = new Sessions(scheduler, renewals, settings.sessionTimeout, this::pass, this::send);
    }

    /**
     * A registry on the Consul agent {@code config} names (its type must be {@code CONSUL}). It
     * connects lazily: an agent that is down now fails the first calls, not this one.
     *
     * <ul>
     *   <li>{@code endpoints}: one agent, {@code http://host:port}, {@code https://host:port} or
     *       {@code host:port} (port 8500 by default); {@code tls=true} or https for TLS.</li>
     *   <li>{@code option.token}: the ACL token. {@code option.datacenter}: the datacenter reads
     *       ask ({@code ?dc=}). {@code option.tls-ca-file}: a PEM file of CA certificates to trust
     *       instead of the JVM's.</li>
     *   <li>{@code option.deregister-critical-after} (default 1m): how long Consul keeps an instance
     *       whose heartbeats stopped. {@code option.read-timeout} (default 10s).
     *       {@code option.watch-wait} (default 60s): the longest wait of one blocking query.</li>
     *   <li>{@code connect-timeout}; {@code session-timeout}: the check TTL of instances registered
     *       without one, which this client renews by itself.</li>
     * </ul>
     *
     * @throws InvalidConfigException if an endpoint, option or TLS file is invalid
     */
    public static ConsulRegistry connect(RegistryConfig config) {
        return connect(config, Scheduler.system());
    }

    /**
     * As {@link #connect(RegistryConfig)}, timing the renewal of TTL-less instances and the
     * backoff of watches that lost Consul on {@code scheduler}: in tests, a virtual-time scheduler.
     */
    public static ConsulRegistry connect(RegistryConfig config, Scheduler scheduler) {
        return connect(config, scheduler, null);
    }

    /**
     * As {@link #connect(RegistryConfig, Scheduler)}, renewing TTL-less instances on
     * {@code renewals} (null: a thread of the registry's own). Tests on a virtual-time scheduler
     * pass {@code Runnable::run}, so that renewals happen inside the advance that makes them due.
     */
    static ConsulRegistry connect(RegistryConfig config, Scheduler scheduler, Executor renewals) {
        Check.notNull("config", config);
        Check.notNull("scheduler", scheduler);
        if (!RegistryConfig.CONSUL.equals(config.type())) {
            throw new InvalidConfigException("type", config.type(), "consul for a Consul registry");
        }
        return new ConsulRegistry(ConsulSettings.from(config), scheduler, renewals);
    }

    /** The entries skipped because their Bulwark meta was no valid instance: distinct entries bad now, and reads that met one. */
    public dev.bulwark.discovery.CorruptEntryCounts corruptEntries() {
        return corrupt.counts();
    }

    /** The agent this registry talks to, as {@code http(s)://host:port}. */
    public String agent() {
        return settings.agent.toString();
    }

    @Override
    public void register(ServiceInstance instance) {
        Check.notNull("instance", instance);
        Registrations.meta(instance); // Consul's limits, checked before any I/O
        open();
        ReentrantLock lock = sessions.lock(instance.id());
        lock.lock();
        try {
            send(instance);
            if (instance.ttl().isZero()) {
                sessions.own(instance);
            } else {
                sessions.forget(instance.id());
            }
        } finally {
            lock.unlock();
        }
        settleWatches(instance.service());
    }

    @Override
    public void deregister(String service, String instanceId) {
        Ids.check("service", service);
        Ids.check("instanceId", instanceId);
        open();
        ReentrantLock lock = sessions.lock(instanceId);
        lock.lock();
        try {
            sessions.forget(instanceId);
            try {
                client.agentClient().deregister(instanceId);
            } catch (RuntimeException e) {
                if (Calls.status(e) != 404) { // not registered with the agent: nothing to remove
                    throw calls.failed("deregister " + service + "/" + instanceId, e);
                }
            }
        } finally {
            lock.unlock();
        }
        settleWatches(service);
    }

    /**
     * Replaces a registered instance's data by registering it again (Consul's agent API has no
     * compare-and-set: a deregistration racing with this call may be undone by it).
     *
     * @throws RegistryException if it is not registered (or its TTL ran out)
     */
    @Override
    public void update(ServiceInstance instance) {
        Check.notNull("instance", instance);
        Registrations.meta(instance);
        open();
        String what = "update " + instance.service() + "/" + instance.id();
        ReentrantLock lock = sessions.lock(instance.id());
        lock.lock();
        try {
            HealthReader.Answer now = calls.call(what, () -> reader.read(client, instance.service()));
            if (!now.instances().containsKey(instance.id())) {
                throw new RegistryException("cannot " + what + ": not registered");
            }
            send(instance);
            if (instance.ttl().isZero()) {
                sessions.own(instance);
            } else {
                sessions.forget(instance.id());
            }
        } finally {
            lock.unlock();
        }
        settleWatches(instance.service());
    }

    /** Passes the instance's TTL check, restarting its TTL. */
    @Override
    public void heartbeat(String service, String instanceId) {
        Ids.check("service", service);
        Ids.check("instanceId", instanceId);
        open();
        try {
            pass(instanceId);
        } catch (RegistryException e) {
            if (Calls.status(e) == 404) {
                throw new RegistryException("cannot heartbeat " + service + "/" + instanceId
                        + ": not registered with " + settings.where() + " (expired and removed?)", e);
            }
            throw e;
        }
    }

    @Override
    public Optional<ServiceInstance> get(String service, String instanceId) {
        Ids.check("service", service);
        Ids.check("instanceId", instanceId);
        open();
        return Optional.ofNullable(read(service).get(instanceId));
    }

    @Override
    public List<ServiceInstance> list(String service) {
        Ids.check("service", service);
        open();
        return new ArrayList<>(read(service).values());
    }

    /** Every service in the catalog (those whose names Bulwark can hold) with its visible instances. */
    @Override
    public Map<String, List<ServiceInstance>> listAll() {
        open();
        Map<String, List<ServiceInstance>> out = new TreeMap<>();
        for (String service : calls.call("list every service", () -> reader.services(client))) {
            if (!Ids.valid(service)) {
                continue;
            }
            List<ServiceInstance> instances = new ArrayList<>(read(service).values());
            if (!instances.isEmpty()) {
                out.put(service, instances);
            }
        }
        return out;
    }

    /**
     * Watches {@code service} from its state now on. If Consul cannot be reached now, the watch
     * still starts: the listener hears {@code onDisconnected} at once and {@code onResumed(false)}
     * when Consul answers.
     */
    @Override
    public Watch watch(String service, WatchListener listener) {
        Ids.check("service", service);
        Check.notNull("listener", listener);
        open();
        HealthReader.Answer initial = null;
        RegistryException error = null;
        try {
            initial = calls.call("watch " + service, () -> reader.read(client, service));
        } catch (RegistryException e) {
            error = e;
        }
        HealthReader.Answer first = initial;
        RegistryException failure = error;
        ConsulWatch watch = watches.open(onClose -> new ConsulWatch(service, listener, settings.client(pool), reader,
                settings.watchWaitSeconds, scheduler, first, failure, onClose));
        if (closed) {
            watch.close();
            open();
        }
        watch.start();
        return watch;
    }

    /**
     * Stops every watch and the renewal of TTL-less instances and releases connections. This
     * client's registrations stay with the agent and lapse: their checks turn critical after their
     * TTL or the session timeout, and Consul removes them after {@code deregister-critical-after}.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        sessions.close();
        if (ownRenewals != null) {
            ownRenewals.shutdownNow();
        }
        watches.closeAll();
        client.destroy();
        pool.evictAll();
    }

    @Override
    public String toString() {
        return "ConsulRegistry{" + settings.where() + (closed ? ", closed" : "") + "}";
    }

    private Map<String, ServiceInstance> read(String service) {
        return calls.call("read " + service, () -> reader.read(client, service)).instances();
    }

    /** Registers {@code instance} with the agent, its check passing. */
    private void send(ServiceInstance instance) {
        Duration checkTtl = instance.ttl().isZero() ? settings.sessionTimeout : instance.ttl();
        calls.run("register " + instance.service() + "/" + instance.id(),
                () -> client.agentClient().register(Registrations.of(instance, checkTtl, settings.deregisterCriticalAfter)));
    }

    private void pass(String instanceId) {
        try {
            client.agentClient().pass(instanceId);
        } catch (NotRegisteredException e) { // consul-client's name for any failure of the call
            throw calls.failed("pass the TTL check of " + instanceId, e.getCause() != null ? e.getCause() : e);
        } catch (RuntimeException e) {
            throw calls.failed("pass the TTL check of " + instanceId, e);
        }
    }

    /**
     * Waits until this registry's open watches of {@code service} have delivered the write just
     * made: reads the service's current index and waits (at most the read timeout) for each watch
     * to get there. Without it, a watch could merge this write with the next into one answer.
     */
    private void settleWatches(String service) {
        List<ConsulWatch> mine = new ArrayList<>();
        for (ConsulWatch w : watches) {
            if (w.service().equals(service)) {
                mine.add(w);
            }
        }
        if (mine.isEmpty()) {
            return;
        }
        long index;
        try {
            index = reader.index(client, service);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "could not read the index of '" + service + "' after a write; not waiting for watches", e);
            return;
        }
        long deadline = System.nanoTime() + settings.readTimeout.toNanos();
        for (ConsulWatch w : mine) {
            if (!w.awaitIndex(index, deadline - System.nanoTime())) {
                LOG.log(System.Logger.Level.DEBUG, w + " did not reach index " + index + " in time (down, closed or slow)");
            }
        }
    }

    private void open() {
        if (closed) {
            throw new RegistryException("registry is closed");
        }
    }
}
