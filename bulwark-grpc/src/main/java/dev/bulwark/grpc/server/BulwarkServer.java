package dev.bulwark.grpc.server;

import dev.bulwark.InvalidConfigException;
import dev.bulwark.discovery.Health;
import dev.bulwark.discovery.Names;
import dev.bulwark.discovery.ServiceInstance;
import dev.bulwark.discovery.ServiceRegistry;
import dev.bulwark.grpc.internal.CallGuard;
import dev.bulwark.grpc.internal.ConnectionLimit;
import dev.bulwark.grpc.internal.Limits;
import dev.bulwark.grpc.internal.ProbeRunner;
import dev.bulwark.grpc.internal.Registrations;
import dev.bulwark.grpc.internal.ServerMetrics;
import dev.bulwark.internal.Check;
import dev.bulwark.internal.Events;
import io.grpc.BindableService;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.buffer.PooledByteBufAllocator;
import io.grpc.netty.shaded.io.netty.buffer.PooledByteBufAllocatorMetric;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A grpc-java server that registers its services in a registry, serves the standard health
 * ({@code grpc.health.v1}, Watch included) and reflection services, runs health probes of its own,
 * and drains in the order rollouts need.
 *
 * <pre>{@code
 * BulwarkServer server = BulwarkServer.builder()
 *     .bind("127.0.0.1", 0)                                 // 0: a free port
 *     .service("user-service", userService)                 // registered as user-service, protocol grpc
 *     .registry(registry)
 *     .instance(i -> i.version("1.4.2").zone("eu-west-1a").weight(2).ttl(Duration.ofSeconds(10)))
 *     .healthCheck("database", () -> database.ping(), Duration.ofMillis(500))
 *     .drain(Duration.ofSeconds(2), Duration.ofSeconds(20))
 *     .build()
 *     .start();
 * // ... on shutdown:
 * DrainReport report = server.drain();
 * }</pre>
 *
 * <p><b>Health.</b> Each probe runs on the health interval with its own timeout. A failing probe
 * makes the services it speaks for (all, by default) NOT_SERVING in the health service and DOWN in
 * the registry, so discovery stops sending callers; the overall status ({@code ""}) is SERVING
 * only while every probe passes.
 *
 * <p><b>Drain</b> ({@link #drain()}, also on {@link #close()}): health NOT_SERVING → deregister
 * from the registry → wait the propagation delay, while calls still arriving are served → stop
 * taking new calls (connections are told to go away) → let calls in flight finish within the
 * grace period → cancel the rest → let accepted background tasks finish (within what is left of
 * the grace period) → close.
 */
public final class BulwarkServer implements AutoCloseable {

    private final Builder settings;
    private final HealthStatusManager health = new HealthStatusManager();
    private final ServerMetrics metrics = new ServerMetrics();
    private final CallGuard guard;
    private final ConnectionLimit connectionLimit;
    private final ScheduledExecutorService timer;
    /** Registry calls block while the registry is slow: never on the timer that ends capped calls. */
    private final ScheduledExecutorService registryTimer;
    private final ExecutorService probeWorkers;
    private final ProbeRunner probes;
    /** gRPC service names by the registry name they are registered under. */
    private final Map<String, Set<String>> services;
    private final Map<String, Boolean> published = new HashMap<>();
    private Server server;
    private Registrations registrations;
    private DrainReport drained;
    private volatile boolean draining;
    private volatile Registrations registrationsView;

    private BulwarkServer(Builder b) {
        this.settings = b;
        AtomicInteger threads = new AtomicInteger();
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "bulwark-grpc-server-timer"));
        this.registryTimer = Executors.newSingleThreadScheduledExecutor(r -> daemon(r, "bulwark-grpc-registrations"));
        this.probeWorkers = Executors.newCachedThreadPool(r -> daemon(r, "bulwark-grpc-probe-" + threads.incrementAndGet()));
        this.probes = new ProbeRunner(b.probes, probeWorkers, this::publishHealth);
        this.guard = new CallGuard(b.protection, metrics, timer);
        this.connectionLimit = b.maxConnections > 0 ? new ConnectionLimit(b.maxConnections, metrics) : null;
        Map<String, Set<String>> byName = new LinkedHashMap<>();
        b.services.forEach((definition, name) -> byName.computeIfAbsent(name, n -> new LinkedHashSet<>())
                .add(definition.getServiceDescriptor().getName()));
        this.services = byName;
    }

    /** A builder of a server; nothing listens until {@link #start()}. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Binds, runs the health probes once, registers every service and starts the probes' interval.
     *
     * @throws UncheckedIOException if the address cannot be bound
     */
    public synchronized BulwarkServer start() {
        if (server != null) {
            throw new IllegalStateException("already started");
        }
        NettyServerBuilder netty = NettyServerBuilder
                .forAddress(new InetSocketAddress(settings.bindHost, settings.port), settings.credentials)
                .maxInboundMessageSize(settings.maxInboundMessageSize)
                .permitKeepAliveTime(settings.permitKeepAliveTime.toNanos(), TimeUnit.NANOSECONDS)
                .permitKeepAliveWithoutCalls(settings.permitKeepAliveWithoutCalls)
                .handshakeTimeout(settings.handshakeTimeout.toNanos(), TimeUnit.NANOSECONDS)
                .addTransportFilter(metrics)
                .addStreamTracerFactory(CallGuard.streamEnds())
                // One pooled allocator, whose statistics bufferStats() reads; buffers are reused, not made per message.
                .withChildOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT);
        if (settings.keepAliveTime != null) {
            netty.keepAliveTime(settings.keepAliveTime.toNanos(), TimeUnit.NANOSECONDS)
                    .keepAliveTimeout(settings.keepAliveTimeout.toNanos(), TimeUnit.NANOSECONDS);
        }
        if (settings.maxConnectionIdle != null) {
            netty.maxConnectionIdle(settings.maxConnectionIdle.toNanos(), TimeUnit.NANOSECONDS);
        }
        if (settings.maxConnectionAge != null) {
            netty.maxConnectionAge(settings.maxConnectionAge.toNanos(), TimeUnit.NANOSECONDS)
                    .maxConnectionAgeGrace(settings.maxConnectionAgeGrace.toNanos(), TimeUnit.NANOSECONDS);
        }
        if (connectionLimit != null) {
            connectionLimit.applyTo(netty);
        }
        if (settings.executor != null) {
            netty.executor(settings.executor);
        }
        for (ServerServiceDefinition definition : settings.services.keySet()) {
            netty.addService(ServerInterceptors.intercept(definition, interceptors()));
        }
        if (settings.healthService) {
            netty.addService(health.getHealthService());
        }
        if (settings.reflection) {
            netty.addService(ProtoReflectionServiceV1.newInstance());
        }
        settings.customizers.forEach(c -> c.accept(netty));
        try {
            server = netty.build().start();
        } catch (IOException | RuntimeException e) {
            server = null;
            releaseThreads(); // nothing will drain a server that never started
            if (e instanceof RuntimeException runtime) {
                throw runtime;
            }
            throw new UncheckedIOException("cannot serve on " + settings.bindHost + ":" + settings.port, (IOException) e);
        }
        probes.runRound().orTimeout(longestProbeTimeout().toMillis() + 1000, TimeUnit.MILLISECONDS)
                .exceptionally(e -> null).join();
        publishHealth();
        if (settings.registry != null) {
            List<ServiceInstance> mine = instances();
            registrations = new Registrations(settings.registry, registryTimer);
            registrations.start(mine);
            registrationsView = registrations;
        }
        if (!settings.probes.isEmpty()) {
            long every = settings.healthInterval.toMillis();
            timer.scheduleWithFixedDelay(probes::runRound, every, every, TimeUnit.MILLISECONDS);
        }
        return this;
    }

    private List<ServerInterceptor> interceptors() {
        List<ServerInterceptor> all = new ArrayList<>(settings.interceptors);
        all.add(guard); // grpc-java calls the last one first: limits and counters before anything else
        return all;
    }

    private Duration longestProbeTimeout() {
        return settings.probes.stream().map(ProbeRunner.Probe::timeout).max(Duration::compareTo).orElse(Duration.ZERO);
    }

    /**
     * Sets each service's served status from the probes, and its registry health with it. Runs on
     * the probes' threads, under its own lock: never the server's, which start and drain hold
     * while they wait for probes.
     */
    private void publishHealth() {
        synchronized (published) {
            publishHealthLocked();
        }
    }

    private void publishHealthLocked() {
        if (draining) {
            return;
        }
        health.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, status(probes.passes("")));
        for (Map.Entry<String, Set<String>> entry : services.entrySet()) {
            boolean all = true;
            for (String grpcService : entry.getValue()) {
                boolean serving = probes.passes(grpcService);
                health.setStatus(grpcService, status(serving));
                all &= serving;
            }
            Boolean before = published.put(entry.getKey(), all);
            Registrations registered = registrationsView;
            if (registered != null && before != null && before != all) {
                registered.health(entry.getKey(), all ? Health.UP : Health.DOWN);
                Events.info(Events.SERVER, all ? "serving" : "not serving", "service", entry.getKey(),
                        "failing-probes", probes.failures());
            }
        }
    }

    private static ServingStatus status(boolean serving) {
        return serving ? ServingStatus.SERVING : ServingStatus.NOT_SERVING;
    }

    /** The instances this server registers (one per registry name), with their current health. */
    public synchronized List<ServiceInstance> instances() {
        if (registrations != null) {
            return registrations.instances();
        }
        List<ServiceInstance> list = new ArrayList<>();
        for (String name : services.keySet()) {
            ServiceInstance.Builder b = ServiceInstance.builder(name, settings.advertiseHost(), port())
                    .id(instanceId(name)).protocol("grpc");
            settings.instance.accept(b);
            Boolean serving;
            synchronized (published) {
                serving = published.get(name);
            }
            list.add(b.build().withHealth(serving == null || serving ? Health.UP : Health.DOWN));
        }
        return list;
    }

    private String instanceId(String name) {
        return name + "-" + settings.advertiseHost().replaceAll("[^A-Za-z0-9._-]", "_") + "-" + port();
    }

    /** The port it listens on (the one chosen, when built with port 0). */
    public int port() {
        Server s = server;
        if (s == null) {
            throw new IllegalStateException("not started");
        }
        return s.getPort();
    }

    /** Whether the health service reports {@code grpcService} ({@code ""}: the server) as serving. */
    public boolean isServing(String grpcService) {
        return !draining && probes.passes(grpcService);
    }

    /** The failing probes and why. */
    public Map<String, String> failingProbes() {
        return probes.failures();
    }

    /** Calls being handled now. */
    public int activeCalls() {
        return metrics.activeCalls();
    }

    /** The pooled buffer memory the server's connections allocate from. */
    public BufferStats bufferStats() {
        PooledByteBufAllocatorMetric m = PooledByteBufAllocator.DEFAULT.metric();
        return new BufferStats(m.usedDirectMemory(), m.usedHeapMemory(), m.numDirectArenas(), m.numHeapArenas(),
                m.numThreadLocalCaches(), m.chunkSize());
    }

    /** Calls, errors, latency, refusals by reason, connections and throughput since the server started. */
    public ServerStats stats() {
        return metrics.snapshot();
    }

    /**
     * Drains and closes the server (see the class description); a second call returns the first
     * one's report. Blocks for the propagation delay and up to the grace period.
     */
    public synchronized DrainReport drain() {
        if (drained != null) {
            return drained;
        }
        long start = System.nanoTime();
        draining = true;
        synchronized (published) {
            health.enterTerminalState(); // every service NOT_SERVING, watchers told
        }
        drainStep("not serving");
        int deregistered = registrations == null ? 0 : registrations.deregisterAll();
        drainStep("deregistered", "instances", deregistered, "waiting", settings.propagationDelay);
        int inFlight = 0;
        int cancelled = 0;
        if (server != null) {
            sleep(settings.propagationDelay); // callers learn of the change; calls arriving meanwhile are served
            server.shutdown();
            inFlight = metrics.activeCalls();
            drainStep("new calls refused", "in-flight", inFlight, "grace", settings.gracePeriod);
            if (!await(settings.gracePeriod)) {
                cancelled = metrics.activeCalls();
                drainStep("grace period over", "cancelled", cancelled);
                server.shutdownNow();
                await(Duration.ofSeconds(5));
            }
        }
        int tasksLeft = 0;
        if (settings.tasks != null) {
            // The calls are over, so nothing submits any more: let the accepted tasks finish.
            Duration left = settings.gracePeriod.minus(Duration.ofNanos(System.nanoTime() - start));
            settings.tasks.drain(left.isNegative() ? Duration.ZERO : left);
            tasksLeft = settings.tasks.pending();
        }
        releaseThreads();
        drained = new DrainReport(Duration.ofNanos(System.nanoTime() - start), inFlight, cancelled, deregistered, tasksLeft);
        drainStep("drained", "took", drained.took(), "in-flight", inFlight, "cancelled", cancelled, "deregistered", deregistered,
                "tasks-left", tasksLeft);
        return drained;
    }

    /** One step of the drain, logged as an event under {@code dev.bulwark.events.server}. */
    private void drainStep(String step, Object... keyValues) {
        Object[] all = new Object[keyValues.length + 2];
        all[0] = "step";
        all[1] = step;
        System.arraycopy(keyValues, 0, all, 2, keyValues.length);
        Events.info(Events.SERVER, "server draining", all);
    }

    private void releaseThreads() {
        timer.shutdownNow();
        registryTimer.shutdownNow();
        probeWorkers.shutdownNow();
        if (connectionLimit != null) {
            connectionLimit.shutdown();
        }
    }

    /** Drains (see {@link #drain()}). */
    @Override
    public void close() {
        drain();
    }

    private boolean await(Duration limit) {
        try {
            return server.awaitTermination(limit.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static void sleep(Duration delay) {
        try {
            Thread.sleep(delay.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Thread daemon(Runnable task, String name) {
        Thread t = new Thread(task, name);
        t.setDaemon(true);
        return t;
    }

    @Override
    public String toString() {
        return "BulwarkServer{" + services.keySet() + (server == null ? ", not started" : ", port " + server.getPort()) + '}';
    }

    /** Builds a {@link BulwarkServer}; every setting is checked when set or at {@link #build()}. */
    public static final class Builder {
        private String bindHost = "0.0.0.0";
        private int port;
        private String advertise;
        private final Map<ServerServiceDefinition, String> services = new LinkedHashMap<>();
        private ServiceRegistry registry;
        private Consumer<ServiceInstance.Builder> instance = b -> { };
        private final List<ProbeRunner.Probe> probes = new ArrayList<>();
        private Duration healthInterval = Duration.ofSeconds(5);
        private Duration propagationDelay = Duration.ofSeconds(2);
        private Duration gracePeriod = Duration.ofSeconds(30);
        private ServerCredentials credentials = InsecureServerCredentials.create();
        private java.util.concurrent.Executor executor;
        private int maxInboundMessageSize = 4 << 20;
        private Duration permitKeepAliveTime = Duration.ofMinutes(5);
        private boolean permitKeepAliveWithoutCalls;
        private ServerProtection protection;
        private TaskHandlers tasks;
        private int maxConnections;
        private Duration handshakeTimeout = Duration.ofSeconds(120);
        private Duration keepAliveTime;
        private Duration keepAliveTimeout = Duration.ofSeconds(20);
        private Duration maxConnectionIdle;
        private Duration maxConnectionAge;
        private Duration maxConnectionAgeGrace;
        private boolean healthService = true;
        private boolean reflection = true;
        private final List<ServerInterceptor> interceptors = new ArrayList<>();
        private final List<Consumer<NettyServerBuilder>> customizers = new ArrayList<>();

        private Builder() {
        }

        /** Listens on {@code host} (default all interfaces) and {@code port} (0: a free one; default 0). */
        public Builder bind(String host, int port) {
            this.bindHost = Check.notNull("bind.host", host);
            this.port = (int) Limits.within("bind.port", port, 0, 65535);
            return this;
        }

        /**
         * The host registered for callers to reach (default: the bind host, or this machine's
         * address when bound to all interfaces).
         */
        public Builder advertise(String host) {
            this.advertise = Check.notNull("advertise", host);
            return this;
        }

        /** Hosts {@code service}, registered under its gRPC service name (e.g. {@code demo.Echo}). */
        public Builder service(BindableService service) {
            ServerServiceDefinition definition = Check.notNull("service", service).bindService();
            return service(definition.getServiceDescriptor().getName(), definition);
        }

        /** Hosts {@code service}, registered under {@code registryName} (several services may share one). */
        public Builder service(String registryName, BindableService service) {
            return service(registryName, Check.notNull("service", service).bindService());
        }

        /** Hosts a service definition, registered under {@code registryName}. */
        public Builder service(String registryName, ServerServiceDefinition definition) {
            Names.check("service.registryName", registryName);
            Check.notNull("service", definition);
            for (ServerServiceDefinition known : services.keySet()) {
                if (known.getServiceDescriptor().getName().equals(definition.getServiceDescriptor().getName())) {
                    throw new InvalidConfigException("service", definition.getServiceDescriptor().getName(),
                            "a gRPC service not already hosted by this server");
                }
            }
            services.put(definition, registryName);
            return this;
        }

        /** Registers every service here while the server runs (default: none). */
        public Builder registry(ServiceRegistry where) {
            registry = Check.notNull("registry", where);
            return this;
        }

        /**
         * Sets what the registered instances carry: version, weight, zone, metadata, tags, TTL.
         * (Service, host, port, id and protocol are the server's.)
         */
        public Builder instance(Consumer<ServiceInstance.Builder> details) {
            instance = Check.notNull("instance", details);
            return this;
        }

        /** A probe of the server's own health that speaks for every service. */
        public Builder healthCheck(String name, HealthProbe probe, Duration timeout) {
            return healthCheck(name, probe, timeout, new String[0]);
        }

        /** A probe of the server's own health that speaks for the named gRPC services only. */
        public Builder healthCheck(String name, HealthProbe probe, Duration timeout, String... grpcServices) {
            Names.check("healthCheck.name", name);
            if (probes.stream().anyMatch(p -> p.name().equals(name))) {
                throw new InvalidConfigException("healthCheck.name", name, "a name not already used by another check");
            }
            probes.add(new ProbeRunner.Probe(name, Check.notNull("healthCheck.probe", probe),
                    Limits.within("healthCheck.timeout", timeout, Duration.ofMillis(1), Duration.ofMinutes(5), null),
                    Set.of(Check.notNull("healthCheck.services", grpcServices))));
            return this;
        }

        /** How often the probes run (default 5 s). */
        public Builder healthInterval(Duration interval) {
            healthInterval = Limits.within("healthInterval", interval, Duration.ofMillis(10), Duration.ofHours(1), null);
            return this;
        }

        /**
         * The drain's two waits: {@code propagationDelay} between leaving the registry and
         * refusing new calls (default 2 s: long enough for callers' discovery to notice), and
         * {@code gracePeriod} for calls in flight to finish before they are cancelled (default 30 s).
         */
        public Builder drain(Duration propagationDelay, Duration gracePeriod) {
            this.propagationDelay = Limits.within("drain.propagationDelay", propagationDelay, Duration.ZERO, Duration.ofMinutes(10), null);
            this.gracePeriod = Limits.within("drain.gracePeriod", gracePeriod, Duration.ZERO, Duration.ofHours(1), null);
            return this;
        }

        /** TLS or mutual TLS ({@code TlsServerCredentials}); default plaintext. */
        public Builder credentials(ServerCredentials value) {
            credentials = Check.notNull("credentials", value);
            return this;
        }

        /** Runs the handlers (default: grpc-java's shared pool). */
        public Builder executor(java.util.concurrent.Executor value) {
            executor = Check.notNull("executor", value);
            return this;
        }

        /** The largest request message accepted, in bytes (default 4 MiB). */
        public Builder maxInboundMessageSize(int bytes) {
            maxInboundMessageSize = (int) Limits.within("maxInboundMessageSize", bytes, 1, Integer.MAX_VALUE);
            return this;
        }

        /**
         * Client keepalive pings the server accepts: no more often than {@code time} (default 5 min,
         * grpc-java's), and also on connections without calls if {@code withoutCalls}. A client
         * pinging more often is disconnected with {@code too_many_pings}: match the clients' keepalive.
         */
        public Builder permitKeepAlive(Duration time, boolean withoutCalls) {
            permitKeepAliveTime = Limits.within("permitKeepAlive.time", time, Duration.ZERO, Duration.ofDays(1), null);
            permitKeepAliveWithoutCalls = withoutCalls;
            return this;
        }

        /** Background task handlers that drain with the server: after its last call, before it closes. */
        public Builder tasks(TaskHandlers handlers) {
            tasks = Check.notNull("tasks", handlers);
            return this;
        }

        /** Refuses calls over rates, concurrency caps and deadline caps (see {@link ServerProtection}). */
        public Builder protection(ServerProtection limits) {
            protection = Check.notNull("protection", limits);
            return this;
        }

        /**
         * At most {@code connections} connections at once, server-wide: one over the cap is closed
         * as it is accepted. (The server then runs on Netty's NIO transport, with event loops of its own.)
         */
        public Builder maxConnections(int connections) {
            maxConnections = (int) Limits.within("maxConnections", connections, 1, 1_000_000);
            return this;
        }

        /** How long a new connection may take to finish its TLS and HTTP/2 handshake (default 120 s). */
        public Builder handshakeTimeout(Duration limit) {
            handshakeTimeout = Limits.within("handshakeTimeout", limit, Duration.ofMillis(1), Duration.ofMinutes(10), null);
            return this;
        }

        /** Pings a connection without traffic after {@code time}; closes it if no answer comes within {@code timeout}. */
        public Builder keepAlive(Duration time, Duration timeout) {
            keepAliveTime = Limits.within("keepAlive.time", time, Duration.ofSeconds(1), Duration.ofDays(1), null);
            keepAliveTimeout = Limits.within("keepAlive.timeout", timeout, Duration.ofMillis(10), Duration.ofMinutes(10), null);
            return this;
        }

        /** Closes a connection that has had no call for {@code idle}. */
        public Builder maxConnectionIdle(Duration idle) {
            maxConnectionIdle = Limits.within("maxConnectionIdle", idle, Duration.ofSeconds(1), Duration.ofDays(30), null);
            return this;
        }

        /**
         * Asks a connection to go away after {@code age} (so clients rebalance onto new servers),
         * letting its calls finish within {@code grace}.
         */
        public Builder maxConnectionAge(Duration age, Duration grace) {
            maxConnectionAge = Limits.within("maxConnectionAge.age", age, Duration.ofSeconds(1), Duration.ofDays(30), null);
            maxConnectionAgeGrace = Limits.within("maxConnectionAge.grace", grace, Duration.ZERO, Duration.ofDays(1), null);
            return this;
        }

        /** Whether to serve {@code grpc.health.v1.Health} (default true). */
        public Builder healthService(boolean enabled) {
            healthService = enabled;
            return this;
        }

        /** Whether to serve reflection, {@code grpc.reflection.v1} (default true). */
        public Builder reflection(boolean enabled) {
            reflection = enabled;
            return this;
        }

        /** Wraps every hosted service's calls (the first added runs first). */
        public Builder interceptor(ServerInterceptor interceptor) {
            interceptors.add(Check.notNull("interceptor", interceptor));
            return this;
        }

        /** Adjusts the grpc-java server builder underneath, for settings not offered here. */
        public Builder configure(Consumer<NettyServerBuilder> customizer) {
            customizers.add(Check.notNull("configure", customizer));
            return this;
        }

        public BulwarkServer build() {
            if (services.isEmpty()) {
                throw new InvalidConfigException("services", "none", "at least one service to host");
            }
            for (ProbeRunner.Probe p : probes) {
                for (String s : p.services()) {
                    if (services.keySet().stream().noneMatch(d -> d.getServiceDescriptor().getName().equals(s))) {
                        throw new InvalidConfigException("healthCheck." + p.name() + ".services", s,
                                "a gRPC service this server hosts");
                    }
                }
                if (p.timeout().compareTo(healthInterval) > 0) {
                    throw new InvalidConfigException("healthCheck." + p.name() + ".timeout", p.timeout(),
                            "at most healthInterval (" + healthInterval + "): a probe is never started again while it runs");
                }
            }
            if (registry != null && (advertiseHost().equals("0.0.0.0") || advertiseHost().equals("::"))) {
                throw new InvalidConfigException("advertise", advertiseHost(), "a host callers can reach");
            }
            ServiceInstance.Builder probe = ServiceInstance.builder("probe", advertiseHost(), 1);
            instance.accept(probe);
            probe.build(); // the details are checked now, not at start
            return new BulwarkServer(this);
        }

        private String advertiseHost() {
            if (advertise != null) {
                return advertise;
            }
            if (!bindHost.equals("0.0.0.0") && !bindHost.equals("::")) {
                return bindHost;
            }
            try {
                return InetAddress.getLocalHost().getHostAddress();
            } catch (UnknownHostException e) {
                return "127.0.0.1";
            }
        }
    }
}
