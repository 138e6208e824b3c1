package dev.bulwark.call;

import dev.bulwark.CallContext;
import dev.bulwark.CallFailedException;
import dev.bulwark.InvalidConfigException;
import dev.bulwark.balance.EndpointSet;
import dev.bulwark.balance.EndpointStats;
import dev.bulwark.balance.LoadBalancer;
import dev.bulwark.balance.LoadBalancers;
import dev.bulwark.breaker.CircuitBreaker;
import dev.bulwark.breaker.CircuitBreakerConfig;
import dev.bulwark.fallback.Fallback;
import dev.bulwark.fallback.StaleCache;
import dev.bulwark.internal.Check;
import dev.bulwark.internal.Futures;
import dev.bulwark.internal.Listeners;
import dev.bulwark.time.Scheduler;
import dev.bulwark.time.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * A pool of named clients of any type (HTTP clients, gRPC stubs, database handles): a protected
 * call chain whose pick stage chooses one client per attempt, with a circuit breaker and live
 * statistics per endpoint. Every policy of a {@link Pipeline} works here too.
 *
 * <pre>{@code
 * ClientPool<URI> inventory = ClientPool.<URI>builder("inventory")
 *     .balancer(LoadBalancers.peakEwma())
 *     .breaker(CircuitBreakerConfig.builder().consecutiveFailures(5).openFor(Duration.ofSeconds(10)).build())
 *     .retry(Retry.builder("inventory").maxAttempts(2).build())     // a failed attempt fails over
 *     .timeout(Timeout.of("inventory", Duration.ofMillis(300)))
 *     .stage(Stages.recover())
 *     .build();
 * inventory.add("inventory-1", URI.create("http://10.0.0.1:8080/"), 2);
 * inventory.add("inventory-2", URI.create("http://10.0.0.2:8080/"), 1);
 * String stock = inventory.call((uri, endpoint, context) -> "stock from " + uri);
 * }</pre>
 *
 * <p><b>The call path</b> is the {@link StageKind} order: fallback (per call) → stale cache →
 * retry → rate limiter → bulkhead → service breaker → <em>pick</em> → your stages → timeout →
 * your call. The pick asks the balancer for an endpoint the call has not tried yet whose breaker
 * admits the attempt, so a retry fails over; each attempt is one outcome of one endpoint's breaker.
 * If no breaker admits the call it fails fast with {@link NoEndpointAvailableException} naming every
 * endpoint, unless the pool is in <em>panic mode</em>, where it calls one anyway.
 *
 * <p><b>Changes during traffic.</b> Endpoints are an immutable snapshot swapped atomically, so
 * adding, removing and re-weighting never blocks calls, and a call that finds its snapshot
 * replaced looks at the new one rather than failing. Once {@link #remove(String)} returns, the
 * endpoint is admitted to no new call; calls admitted before may still be starting or running on
 * it, and {@link PoolEndpoint#drained()} completes after the last of them (with
 * {@link Builder#closeRemovedClients(boolean)}, once its client is closed).
 * {@linkplain #addListener Listeners} hear of every change.
 *
 * @param <C> the client type
 */
public final class ClientPool<C> implements AutoCloseable {
    /** Names a balancer ({@link LoadBalancers#create(String)}) for one call, overriding the pool's. */
    public static final CallContext.Key<String> BALANCER = CallContext.key("bulwark.pool.balancer");

    private final String name;
    private final Ticker ticker;
    private final Scheduler scheduler;
    private final AtomicReference<EndpointSet<PoolEndpoint<C>>> endpoints = new AtomicReference<>(EndpointSet.empty());
    private final CircuitBreakerConfig breakerConfig;
    private final boolean closeRemovedClients;
    private final Duration latencyDecay;
    @SuppressWarnings({"unchecked", "rawtypes"})
    private final Listeners<PoolListener<C>> listeners = new Listeners(PoolListener.class);
    private final Chain chain;
    private final LoadBalancer balancer;

    private ClientPool(Builder<C> b) {
        this.name = b.name;
        this.scheduler = b.scheduler;
        this.ticker = b.ticker;
        this.breakerConfig = b.breakerConfig;
        this.closeRemovedClients = b.closeRemovedClients;
        this.latencyDecay = b.latencyDecay;
        this.balancer = b.balancer;
        b.listeners.forEach(listeners::add);
        List<Stage> order = b.compose(new PickStage<>(this, b.balancer, b.panicMode, ticker));
        this.chain = new Chain(name, order, CLIENT_CALL,
                b.classifier != null ? b.classifier : breakerConfig.classifier(), b.advise(order));
    }

    public static <C> Builder<C> builder(String name) {
        return new Builder<>(Check.name("name", name));
    }

    public String name() {
        return name;
    }

    /** The pool's balancer. */
    public LoadBalancer balancer() {
        return balancer;
    }

    /** The stages' names, outermost first. */
    public List<String> stages() {
        List<String> names = new ArrayList<>();
        for (Stage s : chain.stages) {
            names.add(s.name());
        }
        return List.copyOf(names);
    }

    /** What is questionable about this pool's stage order; empty when nothing is. */
    public List<String> warnings() {
        return chain.warnings;
    }

    // ---------------------------------------------------------------- membership

    /** Adds {@code client} as endpoint {@code name} with weight 1. */
    public PoolEndpoint<C> add(String name, C client) {
        return add(name, client, 1, Map.of(), breakerConfig);
    }

    /** Adds {@code client} as endpoint {@code name} with {@code weight}. */
    public PoolEndpoint<C> add(String name, C client, int weight) {
        return add(name, client, weight, Map.of(), breakerConfig);
    }

    /** Adds {@code client} as endpoint {@code name} with its weight and metadata, under the pool's breaker config. */
    public PoolEndpoint<C> add(String name, C client, int weight, Map<String, String> metadata) {
        return add(name, client, weight, metadata, breakerConfig);
    }

    /**
     * Adds {@code client} as endpoint {@code name}, with its weight, metadata and its own breaker
     * config (instead of the pool's).
     *
     * @throws InvalidConfigException if the name is taken or a value is invalid
     */
    public PoolEndpoint<C> add(String name, C client, int weight, Map<String, String> metadata, CircuitBreakerConfig breaker) {
        Check.name("endpoint name", name);
        Check.notNull("client", client);
        Check.between("weight", weight, 1, 1_000_000);
        Check.notNull("metadata", metadata);
        Check.notNull("breaker", breaker);
        PoolEndpoint<C> endpoint = new PoolEndpoint<>(name, client, weight, metadata,
                scheduler != null ? CircuitBreaker.of(this.name + "/" + name, breaker, scheduler)
                        : CircuitBreaker.of(this.name + "/" + name, breaker, ticker),
                new EndpointStats(ticker, latencyDecay));
        while (true) {
            EndpointSet<PoolEndpoint<C>> current = endpoints.get();
            for (PoolEndpoint<C> e : current.asList()) {
                if (e.name().equals(name)) {
                    throw new InvalidConfigException("endpoint name", name, "a name not already in pool '" + this.name + "'");
                }
            }
            List<PoolEndpoint<C>> next = new ArrayList<>(current.asList());
            next.add(endpoint);
            if (endpoints.compareAndSet(current, EndpointSet.of(next))) {
                for (PoolListener<C> l : listeners.all()) {
                    try {
                        l.onAdded(this, endpoint);
                    } catch (RuntimeException e) {
                        listeners.failed(l, e);
                    }
                }
                return endpoint;
            }
        }
    }

    /**
     * Removes endpoint {@code name}; returns whether it was there. Once this returns the endpoint
     * is admitted to no new call; calls admitted before may still start and run on it, and its
     * {@link PoolEndpoint#drained()} completes after the last of them.
     */
    public boolean remove(String name) {
        while (true) {
            EndpointSet<PoolEndpoint<C>> current = endpoints.get();
            PoolEndpoint<C> removed = null;
            for (PoolEndpoint<C> e : current.asList()) {
                if (e.name().equals(name)) {
                    removed = e;
                }
            }
            if (removed == null) {
                return false;
            }
            List<PoolEndpoint<C>> next = new ArrayList<>(current.asList());
            next.remove(removed);
            // Flag first, then swap: a call counts itself in flight before reading the flag, and
            // the drain check reads the count after the flag, so one of the two always sees the other.
            removed.markRemoved();
            if (endpoints.compareAndSet(current, EndpointSet.of(next))) {
                removed.drainIfIdle(closeRemovedClients);
                for (PoolListener<C> l : listeners.all()) {
                    try {
                        l.onRemoved(this, removed);
                    } catch (RuntimeException e) {
                        listeners.failed(l, e);
                    }
                }
                return true;
            }
        }
    }

    /** Gives endpoint {@code name} a new weight, live; returns whether it was there. */
    public boolean reweight(String name, int weight) {
        Check.between("weight", weight, 1, 1_000_000);
        while (true) {
            EndpointSet<PoolEndpoint<C>> current = endpoints.get();
            Optional<PoolEndpoint<C>> target = current.asList().stream().filter(e -> e.name().equals(name)).findFirst();
            if (target.isEmpty()) {
                return false;
            }
            int old = target.get().weight();
            target.get().setWeight(weight);
            // A new snapshot (same members) tells weighted balancers to rebuild their schedules.
            if (endpoints.compareAndSet(current, EndpointSet.of(current.asList()))) {
                if (old != weight) {
                    for (PoolListener<C> l : listeners.all()) {
                        try {
                            l.onReweighted(this, target.get(), old);
                        } catch (RuntimeException e) {
                            listeners.failed(l, e);
                        }
                    }
                }
                return true;
            }
        }
    }

    /** The endpoints now, in the order they were added. */
    public List<PoolEndpoint<C>> endpoints() {
        return endpoints.get().asList();
    }

    public Optional<PoolEndpoint<C>> endpoint(String name) {
        return endpoints.get().asList().stream().filter(e -> e.name().equals(name)).findFirst();
    }

    /** Hears of every endpoint added, removed or re-weighted from now on. */
    public void addListener(PoolListener<C> listener) {
        listeners.add(Check.notNull("listener", listener));
    }

    public void removeListener(PoolListener<C> listener) {
        listeners.remove(listener);
    }

    EndpointSet<PoolEndpoint<C>> snapshot() {
        return endpoints.get();
    }

    /** After every call on {@code endpoint}: the last call on a removed endpoint drains it. */
    void afterCall(PoolEndpoint<C> endpoint) {
        if (endpoint.isRemoved()) {
            endpoint.drainIfIdle(closeRemovedClients);
        }
    }

    // ---------------------------------------------------------------- calls

    /** Calls one endpoint's client with {@code call}. */
    public <R> R call(ClientCall<C, R> call) {
        return call(CallContext.none(), call);
    }

    /**
     * Calls one endpoint's client with {@code call}, within {@code context}, through every stage;
     * a failed attempt retried (with a retry configured) goes to an endpoint not yet tried.
     *
     * @throws NoEndpointAvailableException if the pool is empty or every breaker is open
     */
    @SuppressWarnings("unchecked")
    public <R> R call(CallContext context, ClientCall<C, R> call) {
        Check.notNull("call", call);
        try {
            return (R) chain.call(Check.notNull("context", context), call);
        } catch (Exception e) {
            throw CallFailedException.propagate(e);
        }
    }

    /**
     * As {@link #call(CallContext, ClientCall)}, answering the failures {@code fallback} handles
     * (rejections included): a pool's calls return different types, so its fallback comes per call.
     */
    public <R> R call(CallContext context, ClientCall<C, R> call, Fallback<? extends R> fallback) {
        Check.notNull("fallback", fallback);
        @SuppressWarnings("unchecked")
        Fallback<R> typed = (Fallback<R>) fallback; // it only produces values: a Fallback<? extends R> is a Fallback<R>
        return typed.call(() -> call(context, call));
    }

    /** Starts a call of one endpoint's client with {@code call}; never blocks. */
    public <R> CompletableFuture<R> callAsync(AsyncClientCall<C, R> call) {
        return callAsync(CallContext.none(), call);
    }

    /**
     * Starts a call through every stage, never blocking: backoffs and timeouts are timers.
     * Failures, rejections included, fail the returned future; cancelling it cancels the attempt
     * in flight and releases the endpoint uncounted.
     */
    @SuppressWarnings("unchecked")
    public <R> CompletableFuture<R> callAsync(CallContext context, AsyncClientCall<C, R> call) {
        Check.notNull("call", call);
        return (CompletableFuture<R>) (CompletableFuture<?>) chain.callAsync(Check.notNull("context", context), call);
    }

    /** As {@link #callAsync(CallContext, AsyncClientCall)}, answering the failures {@code fallback} handles. */
    public <R> CompletableFuture<R> callAsync(CallContext context, AsyncClientCall<C, R> call, Fallback<? extends R> fallback) {
        Check.notNull("fallback", fallback);
        @SuppressWarnings("unchecked")
        Fallback<R> typed = (Fallback<R>) fallback;
        return typed.callAsync(() -> callAsync(context, call));
    }

    /** The end of a pool's chain: the user's call on the picked endpoint's client. */
    private static final Chain.Terminal CLIENT_CALL = new Chain.Terminal() {
        @Override
        @SuppressWarnings("unchecked")
        public Object call(Invocation invocation, Object task) throws Exception {
            PoolEndpoint<Object> endpoint = (PoolEndpoint<Object>) invocation.endpoint();
            return ((ClientCall<Object, ?>) task).call(endpoint.client(), endpoint, invocation.context());
        }

        @Override
        @SuppressWarnings("unchecked")
        public CompletableFuture<Object> callAsync(Invocation invocation, Object task) {
            PoolEndpoint<Object> endpoint = (PoolEndpoint<Object>) invocation.endpoint();
            return Futures.start(() -> {
                try {
                    return ((AsyncClientCall<Object, Object>) task).call(endpoint.client(), endpoint, invocation.context());
                } catch (Exception e) {
                    throw CallFailedException.propagate(e);
                }
            });
        }
    };

    /** Closes every client that is closeable, and stops taking calls. */
    @Override
    public void close() {
        EndpointSet<PoolEndpoint<C>> last = endpoints.getAndSet(EndpointSet.empty());
        for (PoolEndpoint<C> endpoint : last.asList()) {
            endpoint.markRemoved();
            endpoint.closeClient();
            endpoint.drainIfIdle(false);
        }
    }

    @Override
    public String toString() {
        return "ClientPool{" + name + ", " + endpoints.get().asList().stream().map(PoolEndpoint::describe).toList() + '}';
    }

    /** Builds a {@link ClientPool}. */
    public static final class Builder<C> extends ChainBuilder<Builder<C>> {
        private LoadBalancer balancer = LoadBalancers.roundRobin();
        private CircuitBreakerConfig breakerConfig = CircuitBreakerConfig.defaults();
        private boolean panicMode;
        private boolean closeRemovedClients;
        private Duration latencyDecay = Duration.ofSeconds(10);
        private Ticker ticker = Ticker.system();
        private Scheduler scheduler = Scheduler.system();
        private final List<PoolListener<C>> listeners = new ArrayList<>();

        private Builder(String name) {
            super(name);
        }

        /**
         * The pool's balancer (default round robin): a built-in from {@link LoadBalancers} or
         * {@code Strategy.X.create()}, or your own.
         */
        public Builder<C> balancer(LoadBalancer chosen) {
            balancer = Check.notNull("balancer", chosen);
            return this;
        }

        /** The breaker config of each endpoint unless it has its own (default: 5 consecutive failures, open 30 s). */
        public Builder<C> breaker(CircuitBreakerConfig config) {
            breakerConfig = Check.notNull("breaker", config);
            return this;
        }

        /**
         * Remembers successes per key ({@code keyOf} the call's context; {@code null}: no caching)
         * and serves them on failure. Keys must tell the pool's calls apart: a key's value is
         * returned to whichever call asks with that key.
         */
        public <K> Builder<C> staleCache(StaleCache<K, ?> cache, Function<CallContext, K> keyOf) {
            return put(Stages.staleCache(cache, keyOf));
        }

        /** When every breaker is open, call an endpoint anyway instead of failing fast (default off). */
        public Builder<C> panicMode(boolean enabled) {
            panicMode = enabled;
            return this;
        }

        /** Closes a removed endpoint's client (if {@link AutoCloseable}) after its last call (default off). */
        public Builder<C> closeRemovedClients(boolean enabled) {
            closeRemovedClients = enabled;
            return this;
        }

        /** How fast the peak-EWMA latency estimate forgets (default 10 s). */
        public Builder<C> latencyDecay(Duration decay) {
            latencyDecay = Check.positive("latencyDecay", decay);
            return this;
        }

        /**
         * The clock for breakers and latency, and the timer that ends the endpoint breakers' open
         * periods (default the system's); tests pass a virtual one.
         */
        public Builder<C> scheduler(Scheduler source) {
            scheduler = Check.notNull("scheduler", source);
            ticker = source.ticker();
            return this;
        }

        /** The clock alone; without a scheduler, breakers notice the end of an open period on the next pick. */
        public Builder<C> ticker(Ticker source) {
            ticker = Check.notNull("ticker", source);
            scheduler = source == Ticker.system() ? Scheduler.system() : null;
            return this;
        }

        /** Hears of every endpoint added, removed or re-weighted. */
        public Builder<C> listener(PoolListener<C> listener) {
            listeners.add(Check.notNull("listener", listener));
            return this;
        }

        public ClientPool<C> build() {
            return new ClientPool<>(this);
        }
    }
}
