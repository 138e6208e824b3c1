package dev.bulwark.grpc.client;

import dev.bulwark.FailureClassifier;
import dev.bulwark.balance.LoadBalancer;
import dev.bulwark.balance.Strategy;
import dev.bulwark.breaker.CircuitBreaker;
import dev.bulwark.breaker.CircuitBreakerConfig;
import dev.bulwark.bulkhead.Bulkhead;
import dev.bulwark.call.Stage;
import dev.bulwark.discovery.Names;
import dev.bulwark.discovery.ServiceDiscovery;
import dev.bulwark.grpc.GrpcStatuses;
import dev.bulwark.grpc.internal.CallPolicies;
import dev.bulwark.grpc.internal.ChannelSettings;
import dev.bulwark.grpc.internal.DiscoveryNameResolverProvider;
import dev.bulwark.grpc.internal.EndpointBalancerProvider;
import dev.bulwark.grpc.internal.EndpointBook;
import dev.bulwark.grpc.internal.Limits;
import dev.bulwark.grpc.internal.ProtectingInterceptor;
import dev.bulwark.grpc.internal.Providers;
import dev.bulwark.grpc.internal.SubchannelEndpoint;
import dev.bulwark.internal.Check;
import dev.bulwark.internal.TransportDefaults;
import dev.bulwark.ratelimit.RateLimiter;
import dev.bulwark.registry.PolicyRegistry;
import dev.bulwark.retry.Retry;
import dev.bulwark.time.Ticker;
import io.grpc.CallOptions;
import io.grpc.ChannelCredentials;
import io.grpc.ClientCall;
import io.grpc.ConnectivityState;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * A grpc-java channel to a service found through Bulwark discovery, with Bulwark's protection on
 * every call. Use it wherever a {@code ManagedChannel} goes: generated stubs, interceptors, the
 * health and reflection clients.
 *
 * <pre>{@code
 * BulwarkChannel channel = BulwarkChannel.builder("user-service", discovery)
 *     .balancer(Strategy.PEAK_EWMA)
 *     .retry(Retry.builder("grpc:user-service").maxAttempts(3).budget(RetryBudget.builder().ratio(0.2).build()).build())
 *     .build();
 * EchoGrpc.EchoBlockingStub users = EchoGrpc.newBlockingStub(channel)   // your generated stub
 *         .withDeadlineAfter(300, TimeUnit.MILLISECONDS);
 * }</pre>
 *
 * What it adds to grpc-java:
 * <ul>
 * <li><b>Discovery.</b> The target {@code bulwark:///<service>} resolves to the serving instances
 *     (of protocol {@code grpc} by default) from a {@link ServiceDiscovery}, re-read on every change;
 *     the discovery cache serves its last good list through a registry outage.
 * <li><b>Balancing with a breaker per endpoint.</b> Bulwark's balancers pick among connected
 *     endpoints whose breaker is not open; every call's status feeds its endpoint's breaker and
 *     statistics (in-flight count, peak-EWMA latency), judged by {@link GrpcStatuses#classifier()}.
 * <li><b>The one call path.</b> Each call runs through its method's chain: retry (unary and
 *     streaming calls until their first reply; each retry on an endpoint not yet tried when there
 *     is one; the retry budget and {@code grpc-retry-pushback-ms} honoured), a rate limiter, a
 *     bulkhead, a breaker per method ({@code grpc:<service>/<method>}) and stages of your own. The
 *     call's deadline bounds its retries; a {@code CallContext} attached with
 *     {@code GrpcContexts.attach} lends its deadline and hash key.
 * <li><b>A connection pool</b>, if asked: more than one connection to an endpoint when one
 *     connection's calls reach a bound, extra ones closed when idle.
 * </ul>
 */
public final class BulwarkChannel extends ManagedChannel {
    private static final Executor SHARED_EXECUTOR = sharedExecutor();

    private final ManagedChannel channel;
    private final String service;
    private final EndpointBook endpoints;
    private final PolicyRegistry<CircuitBreaker, CircuitBreakerConfig> methodBreakers;
    private final Ticker ticker;

    private BulwarkChannel(ManagedChannel channel, String service, EndpointBook endpoints,
            PolicyRegistry<CircuitBreaker, CircuitBreakerConfig> methodBreakers, Ticker ticker) {
        this.channel = channel;
        this.service = service;
        this.endpoints = endpoints;
        this.methodBreakers = methodBreakers;
        this.ticker = ticker;
    }

    /** A builder of a channel to {@code service}, whose instances {@code discovery} finds. */
    public static Builder builder(String service, ServiceDiscovery discovery) {
        return new Builder(Names.check("service", service), Check.notNull("discovery", discovery));
    }

    /** The service this channel calls. */
    public String service() {
        return service;
    }

    /** Its endpoints now, in the order discovery listed them. */
    public List<EndpointStatus> endpoints() {
        List<EndpointStatus> list = new ArrayList<>();
        long now = ticker.read();
        for (SubchannelEndpoint e : endpoints.current().asList()) {
            list.add(new EndpointStatus(e.instance(), e.state(), e.breaker(), e.stats().inFlight(), e.stats().successes(),
                    e.stats().failures(), e.stats().latencyNanos(now) / 1e6, e.connectionCount()));
        }
        return List.copyOf(list);
    }

    /** The registry its method breakers come from, or {@code null} when it has none. */
    public PolicyRegistry<CircuitBreaker, CircuitBreakerConfig> methodBreakers() {
        return methodBreakers;
    }

    @Override
    public <ReqT, RespT> ClientCall<ReqT, RespT> newCall(MethodDescriptor<ReqT, RespT> method, CallOptions callOptions) {
        return channel.newCall(method, callOptions);
    }

    @Override
    public String authority() {
        return channel.authority();
    }

    @Override
    public ManagedChannel shutdown() {
        channel.shutdown();
        return this;
    }

    @Override
    public boolean isShutdown() {
        return channel.isShutdown();
    }

    @Override
    public boolean isTerminated() {
        return channel.isTerminated();
    }

    @Override
    public ManagedChannel shutdownNow() {
        channel.shutdownNow();
        return this;
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        return channel.awaitTermination(timeout, unit);
    }

    @Override
    public ConnectivityState getState(boolean requestConnection) {
        return channel.getState(requestConnection);
    }

    @Override
    public void notifyWhenStateChanged(ConnectivityState source, Runnable callback) {
        channel.notifyWhenStateChanged(source, callback);
    }

    @Override
    public void resetConnectBackoff() {
        channel.resetConnectBackoff();
    }

    @Override
    public void enterIdle() {
        channel.enterIdle();
    }

    @Override
    public String toString() {
        return "BulwarkChannel{" + service + ", " + endpoints.current().size() + " endpoints}";
    }

    private static Executor sharedExecutor() {
        AtomicInteger threads = new AtomicInteger();
        ThreadPoolExecutor pool = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS,
                new SynchronousQueue<>(), task -> {
                    Thread t = new Thread(task, "bulwark-grpc-" + threads.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        return pool;
    }

    /** Builds a {@link BulwarkChannel}; every setting is checked when set or at {@link #build()}. */
    public static final class Builder {
        private final String service;
        private final ServiceDiscovery discovery;
        private String protocol = "grpc";
        private LoadBalancer balancer;
        private CircuitBreakerConfig endpointBreaker = CircuitBreakerConfig.builder()
                .consecutiveFailures(5).openFor(Duration.ofSeconds(10)).classifier(GrpcStatuses.classifier()).build();
        private Retry retry;
        private Predicate<MethodDescriptor<?, ?>> retryFor = method -> true;
        private RateLimiter limiter;
        private Duration limiterWait = Duration.ZERO;
        private Bulkhead bulkhead;
        private PolicyRegistry<CircuitBreaker, CircuitBreakerConfig> methodBreakers;
        private final List<Stage> stages = new ArrayList<>();
        private Duration attemptTimeout;
        private long retryBufferBytes = 1 << 20;
        private String hashKeyHeader;
        private Ticker ticker = Ticker.system();
        private ChannelCredentials credentials = InsecureChannelCredentials.create();
        private String authority;
        private Duration keepAliveTime;
        private Duration keepAliveTimeout = Duration.ofSeconds(20);
        private boolean keepAliveWithoutCalls;
        private Duration idleTimeout = Duration.ofMinutes(30);
        private Duration connectTimeout = Duration.ofSeconds(10);
        private int maxInboundMessageSize = 4 << 20;
        private int maxInboundMetadataSize = 8 << 10;
        private int maxConnectionsPerEndpoint = 1;
        private int maxCallsPerConnection = 100;
        private Duration connectionIdleTimeout = Duration.ofMinutes(1);
        private Executor executor;
        private ResponseCache responseCache;
        private final List<Consumer<NettyChannelBuilder>> customizers = new ArrayList<>();

        private Builder(String service, ServiceDiscovery discovery) {
            this.service = service;
            this.discovery = discovery;
        }

        /** Only instances registered with this protocol (default {@code grpc}); {@code null} takes any. */
        public Builder protocol(String value) {
            protocol = value;
            return this;
        }

        /** Picks endpoints with this balancer (default: round robin). */
        public Builder balancer(LoadBalancer chosen) {
            balancer = Check.notNull("balancer", chosen);
            return this;
        }

        /** Picks endpoints with a new balancer of this strategy. */
        public Builder balancer(Strategy strategy) {
            return balancer(Check.notNull("balancer", strategy).create());
        }

        /**
         * Each endpoint's breaker (default: 5 consecutive failures open it for 10 s). A config
         * with the default classifier gets the gRPC one, so status codes are judged as
         * {@link GrpcStatuses} describes.
         */
        public Builder endpointBreaker(CircuitBreakerConfig config) {
            Check.notNull("endpointBreaker", config);
            endpointBreaker = TransportDefaults.breaker(config, GrpcStatuses.classifier());
            return this;
        }

        /** No breaker per endpoint: every connected endpoint takes calls whatever they return. */
        public Builder noEndpointBreakers() {
            endpointBreaker = null;
            return this;
        }

        /**
         * Retries every method's calls with {@code policy}: unary calls, and streaming calls until
         * their first reply, each retry on an endpoint the call has not tried while there is one.
         * The server's {@code grpc-retry-pushback-ms} is honoured; a retry with the default
         * classifier gets the gRPC one. Retry only what is safe to repeat: see
         * {@link #retry(Retry, Predicate)}.
         */
        public Builder retry(Retry policy) {
            return retry(policy, method -> true);
        }

        /**
         * Retries the calls of the methods {@code forMethods} accepts, for instance
         * {@code MethodDescriptor::isIdempotent} or a set of names.
         */
        public Builder retry(Retry policy, Predicate<MethodDescriptor<?, ?>> forMethods) {
            Check.notNull("retry", policy);
            retryFor = Check.notNull("retryFor", forMethods);
            retry = TransportDefaults.retry(policy, GrpcStatuses.classifier(), GrpcStatuses.pushback());
            return this;
        }

        /** Rate limits every attempt; one over the limit fails at once with RESOURCE_EXHAUSTED. */
        public Builder rateLimiter(RateLimiter limiter) {
            return rateLimiter(limiter, Duration.ZERO);
        }

        /** Rate limits every attempt, letting it wait up to {@code maxWait} for a permit. */
        public Builder rateLimiter(RateLimiter limiter, Duration maxWait) {
            this.limiter = Check.notNull("rateLimiter", limiter);
            this.limiterWait = Check.nonNegative("rateLimiter.maxWait", maxWait);
            return this;
        }

        /** Caps the attempts in flight; one over the cap fails at once with RESOURCE_EXHAUSTED. */
        public Builder bulkhead(Bulkhead cap) {
            bulkhead = Check.notNull("bulkhead", cap);
            return this;
        }

        /**
         * A breaker per method, {@code grpc:<service>/<method>}, from {@code registry}: apply a new
         * config there and the live breaker takes it. Build the registry's default config with
         * {@link GrpcStatuses#classifier()} so status codes are judged the gRPC way.
         */
        public Builder methodBreakers(PolicyRegistry<CircuitBreaker, CircuitBreakerConfig> registry) {
            methodBreakers = Check.notNull("methodBreakers", registry);
            return this;
        }

        /** Adds a stage of your own to every call's chain (it runs once per attempt, in the custom stages' place). */
        public Builder stage(Stage stage) {
            stages.add(Check.notNull("stage", stage));
            return this;
        }

        /** Gives each attempt its own deadline, within the call's. */
        public Builder attemptTimeout(Duration timeout) {
            attemptTimeout = Limits.within("attemptTimeout", timeout, Duration.ofMillis(1), Duration.ofDays(1), null);
            return this;
        }

        /**
         * How many bytes of requests a call keeps for retries (default 1 MiB); a call that sends
         * more commits to its attempt in flight and is not retried.
         */
        public Builder retryBufferSize(long bytes) {
            retryBufferBytes = Limits.within("retryBufferSize", bytes, 1, 1L << 30);
            return this;
        }

        /** The request header whose value is the consistent-hash key (for {@link Strategy#CONSISTENT_HASH}). */
        public Builder hashKeyHeader(String header) {
            hashKeyHeader = Check.name("hashKeyHeader", header).toLowerCase(java.util.Locale.ROOT);
            return this;
        }

        /** Times calls for endpoint statistics and breakers (default: the system ticker). */
        public Builder ticker(Ticker source) {
            ticker = Check.notNull("ticker", source);
            return this;
        }

        /** TLS or mutual TLS ({@code TlsChannelCredentials}); default plaintext. */
        public Builder credentials(ChannelCredentials value) {
            credentials = Check.notNull("credentials", value);
            return this;
        }

        /**
         * The authority calls carry, and the name TLS checks the servers' certificates against
         * (default: the service name).
         */
        public Builder authority(String value) {
            authority = Check.name("authority", value);
            return this;
        }

        /**
         * Pings a connection without traffic after {@code time}, and drops it if no answer comes
         * within {@code timeout}. The server must permit pings that often
         * ({@code permitKeepAliveTime}, 5 minutes by default in grpc-java) or it closes the
         * connection with {@code too_many_pings}.
         */
        public Builder keepAlive(Duration time, Duration timeout) {
            keepAliveTime = Limits.within("keepAlive.time", time, Duration.ofSeconds(10), Duration.ofDays(1),
                    "grpc-java raises shorter times to 10 s");
            keepAliveTimeout = Limits.within("keepAlive.timeout", timeout, Duration.ofMillis(10), Duration.ofMinutes(10), null);
            return this;
        }

        /** Whether to ping connections that carry no call (default false; the server must permit it). */
        public Builder keepAliveWithoutCalls(boolean enabled) {
            keepAliveWithoutCalls = enabled;
            return this;
        }

        /** How long the channel may sit without calls before it lets its connections go (default 30 min). */
        public Builder idleTimeout(Duration timeout) {
            idleTimeout = Limits.within("idleTimeout", timeout, Duration.ofSeconds(1), Duration.ofDays(30),
                    "grpc-java raises shorter times to 1 s");
            return this;
        }

        /** How long a connection attempt may take (default 10 s). */
        public Builder connectTimeout(Duration timeout) {
            connectTimeout = Limits.within("connectTimeout", timeout, Duration.ofMillis(1), Duration.ofMinutes(10), null);
            return this;
        }

        /** The largest reply message accepted, in bytes (default 4 MiB). */
        public Builder maxInboundMessageSize(int bytes) {
            maxInboundMessageSize = (int) Limits.within("maxInboundMessageSize", bytes, 1, Integer.MAX_VALUE);
            return this;
        }

        /** The largest reply headers or trailers accepted, in bytes (default 8 KiB). */
        public Builder maxInboundMetadataSize(int bytes) {
            maxInboundMetadataSize = (int) Limits.within("maxInboundMetadataSize", bytes, 1, Integer.MAX_VALUE);
            return this;
        }

        /**
         * A pool of up to {@code maxConnections} connections per endpoint: another is opened when
         * every open one carries {@code maxCallsPerConnection} calls (an HTTP/2 connection's
         * concurrent-stream limit otherwise caps throughput), and an extra one is closed after
         * {@code idleTimeout} without calls. Default: one connection.
         */
        public Builder connectionPool(int maxConnections, int maxCallsPerConnection, Duration idleTimeout) {
            this.maxConnectionsPerEndpoint = (int) Limits.within("connectionPool.maxConnections", maxConnections, 1, 64);
            this.maxCallsPerConnection = (int) Limits.within("connectionPool.maxCallsPerConnection", maxCallsPerConnection, 1,
                    Integer.MAX_VALUE);
            this.connectionIdleTimeout = Limits.within("connectionPool.idleTimeout", idleTimeout, Duration.ofMillis(10),
                    Duration.ofDays(1), null);
            return this;
        }

        /** Runs the calls' callbacks (default: a shared pool of daemon threads that end when idle). */
        public Builder executor(Executor value) {
            executor = Check.notNull("executor", value);
            return this;
        }

        /** Answers the methods {@code cache} covers from memory, before any policy runs. */
        public Builder responseCache(ResponseCache cache) {
            responseCache = Check.notNull("responseCache", cache);
            return this;
        }

        /** Adjusts the grpc-java channel builder underneath, for settings not offered here. */
        public Builder configure(Consumer<NettyChannelBuilder> customizer) {
            customizers.add(Check.notNull("configure", customizer));
            return this;
        }

        /** The per-call chain, with the response cache (if any) outside it: grpc-java runs the last one first. */
        private List<io.grpc.ClientInterceptor> interceptors(CallPolicies policies, Executor callbacks) {
            List<io.grpc.ClientInterceptor> list = new ArrayList<>();
            list.add(new ProtectingInterceptor(policies, ticker, callbacks));
            if (responseCache != null) {
                list.add(responseCache.interceptor(callbacks));
            }
            return list;
        }

        public BulwarkChannel build() {
            if (keepAliveTime != null && idleTimeout.compareTo(keepAliveTime) < 0 && keepAliveWithoutCalls) {
                throw new dev.bulwark.InvalidConfigException("keepAliveWithoutCalls", true, "false when idleTimeout ("
                        + idleTimeout + ") is shorter than keepAlive.time (" + keepAliveTime + "): an idle channel closes"
                        + " its connections before the first ping");
            }
            Providers.ensureRegistered();
            Executor callbacks = executor != null ? executor : SHARED_EXECUTOR;
            LoadBalancer chosen = balancer != null ? balancer : Strategy.ROUND_ROBIN.create();
            EndpointBook book = new EndpointBook();
            ChannelSettings settings = new ChannelSettings(service, discovery, protocol, chosen, endpointBreaker, ticker,
                    maxConnectionsPerEndpoint, maxCallsPerConnection, connectionIdleTimeout, book);
            FailureClassifier classifier = endpointBreaker != null ? endpointBreaker.classifier() : GrpcStatuses.classifier();
            CallPolicies policies = new CallPolicies(retry, retryFor, limiter, limiterWait, bulkhead, methodBreakers,
                    List.copyOf(stages), classifier, attemptTimeout, retryBufferBytes, hashKeyHeader);
            NettyChannelBuilder netty = NettyChannelBuilder
                    .forTarget(DiscoveryNameResolverProvider.SCHEME + ":///" + service, credentials)
                    .setNameResolverArg(ChannelSettings.RESOLVER_ARG, settings)
                    .defaultLoadBalancingPolicy(EndpointBalancerProvider.NAME)
                    .executor(callbacks)
                    .intercept(interceptors(policies, callbacks))
                    .idleTimeout(idleTimeout.toMillis(), TimeUnit.MILLISECONDS)
                    .maxInboundMessageSize(maxInboundMessageSize)
                    .maxInboundMetadataSize(maxInboundMetadataSize)
                    .withOption(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()));
            if (keepAliveTime != null) {
                netty.keepAliveTime(keepAliveTime.toNanos(), TimeUnit.NANOSECONDS)
                        .keepAliveTimeout(keepAliveTimeout.toNanos(), TimeUnit.NANOSECONDS)
                        .keepAliveWithoutCalls(keepAliveWithoutCalls);
            }
            if (authority != null) {
                netty.overrideAuthority(authority);
            }
            customizers.forEach(c -> c.accept(netty));
            ManagedChannel built = netty.build();
            built.getState(true); // resolve and connect now, not on the first call
            return new BulwarkChannel(built, service, book, methodBreakers, ticker);
        }
    }
}
