package dev.bulwark.pool;

import dev.bulwark.CallContext;
import dev.bulwark.CallFailedException;
import dev.bulwark.InvalidConfigException;
import dev.bulwark.Verdict;
import dev.bulwark.balance.EndpointSet;
import dev.bulwark.balance.EndpointStats;
import dev.bulwark.balance.LoadBalancer;
import dev.bulwark.balance.LoadBalancers;
import dev.bulwark.balance.Strategy;
import dev.bulwark.breaker.CircuitBreaker;
import dev.bulwark.breaker.CircuitBreakerConfig;
import dev.bulwark.internal.Check;
import dev.bulwark.middleware.Middleware;
import dev.bulwark.retry.Retry;
import dev.bulwark.time.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * A pool of named clients of any type (HTTP clients, gRPC stubs, database handles), choosing one
 * per call, protecting each with its own circuit breaker, and running each call through a
 * middleware chain.
 *
 * <pre>{@code
 * ClientPool<InventoryClient> pool = ClientPool.<InventoryClient>builder("inventory")
 *     .strategy(Strategy.PEAK_EWMA)
 *     .breaker(CircuitBreakerConfig.builder().consecutiveFailures(5).openFor(Duration.ofSeconds(10)).build())
 *     .retry(Retry.builder("inventory").maxAttempts(2).build())     // a failed attempt fails over
 *     .middleware(Middlewares.recover())
 *     .build();
 * pool.add("inventory-1", new InventoryClient("10.0.0.1"), 2);
 * pool.add("inventory-2", new InventoryClient("10.0.0.2"), 1);
 * Stock stock = pool.call((client, endpoint, context) -> client.stock(sku));
 * }</pre>
 *
 * <p><b>Selection.</b> The pool's balancer (or the strategy a call names with {@link #STRATEGY}
 * in its context) picks among the endpoints whose breakers admit calls; a half-open breaker takes
 * its probes. If every breaker is open the call fails fast with {@link NoEndpointAvailableException}
 * naming them all, unless the pool is in <em>panic mode</em>, where it calls one anyway (better a
 * likely failure than a certain one when all breakers tripped together).
 *
 * <p><b>Changes during traffic.</b> Endpoints are an immutable snapshot swapped atomically, so
 * adding, removing and re-weighting never blocks calls. Once {@link #remove(String)} returns, the
 * removed endpoint takes no new call; calls already running on it finish (and with
 * {@link Builder#closeRemovedClients(boolean)} its client is closed after the last one).
 *
 * <p><b>Call path.</b> retry (failing over to another endpoint) → pick → endpoint breaker →
 * middleware chain (registration order, first outermost) → your call.
 *
 * @param <C> the client type
 */
public final class ClientPool<C> implements AutoCloseable {
    /** Names the balancing strategy for one call, overriding the pool's. */
    public static final CallContext.Key<Strategy> STRATEGY = CallContext.key("bulwark.pool.strategy");

    private static final int PICKS = 3;

    private final String name;
    private final Ticker ticker;
    private final LoadBalancer balancer;
    private final AtomicReferenceArray<LoadBalancer> strategies = new AtomicReferenceArray<>(Strategy.values().length);
    private final AtomicReference<EndpointSet<PoolEndpoint<C>>> endpoints = new AtomicReference<>(EndpointSet.empty());
    private final CircuitBreakerConfig breakerConfig;
    private final Middleware[] middlewares;
    private final Retry retry;
    private final boolean panicMode;
    private final boolean closeRemovedClients;
    private final Duration latencyDecay;
    private final AtomicInteger panicTurn = new AtomicInteger();
    private final Retry.Attempt<Failover<C, ?>, Object> failoverAttempt = this::attemptWithFailover;

    private ClientPool(Builder<C> b) {
        this.name = b.name;
        this.ticker = b.ticker;
        this.balancer = b.balancer != null ? b.balancer : LoadBalancers.create(b.strategy);
        this.breakerConfig = b.breakerConfig;
        this.middlewares = b.middlewares.toArray(new Middleware[0]);
        this.retry = b.retry;
        this.panicMode = b.panicMode;
        this.closeRemovedClients = b.closeRemovedClients;
        this.latencyDecay = b.latencyDecay;
    }

    public static <C> Builder<C> builder(String name) {
        return new Builder<>(Check.name("name", name));
    }

    public String name() {
        return name;
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
                CircuitBreaker.of(this.name + "/" + name, breaker, ticker), new EndpointStats(ticker, latencyDecay));
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
                return endpoint;
            }
        }
    }

    /**
     * Removes endpoint {@code name}. Once this returns it takes no new call; calls running on it
     * finish. Returns whether it was there.
     */
    public boolean remove(String name) {
        while (true) {
            EndpointSet<PoolEndpoint<C>> current = endpoints.get();
            List<PoolEndpoint<C>> next = new ArrayList<>(current.asList());
            PoolEndpoint<C> removed = null;
            for (PoolEndpoint<C> e : current.asList()) {
                if (e.name().equals(name)) {
                    removed = e;
                }
            }
            if (removed == null) {
                return false;
            }
            next.remove(removed);
            if (endpoints.compareAndSet(current, EndpointSet.of(next))) {
                // A call that picked it from the old snapshot checks this flag after counting itself
                // in flight, so no call starts on it once we return.
                removed.markRemoved();
                if (closeRemovedClients && removed.stats().inFlight() == 0) {
                    removed.closeClient();
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
            target.get().setWeight(weight);
            // A new snapshot (same members) tells weighted balancers to rebuild their schedules.
            if (endpoints.compareAndSet(current, EndpointSet.of(current.asList()))) {
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

    // ---------------------------------------------------------------- calls

    /** Calls one endpoint's client with {@code call}. */
    public <R> R call(ClientCall<C, R> call) {
        return call(CallContext.none(), call);
    }

    /**
     * Calls one endpoint's client with {@code call}, within {@code context}; with a retry
     * configured, a failed attempt is retried on another endpoint when there is one.
     *
     * @throws NoEndpointAvailableException if the pool is empty or every breaker is open
     */
    @SuppressWarnings("unchecked")
    public <R> R call(CallContext context, ClientCall<C, R> call) {
        Check.notNull("context", context);
        Check.notNull("call", call);
        if (retry == null) {
            try {
                return attempt(context, call, null);
            } catch (Exception e) {
                throw CallFailedException.propagate(e);
            }
        }
        Failover<C, R> failover = new Failover<>(call);
        return (R) retry.call(context, failover, (Retry.Attempt<Failover<C, R>, Object>) (Object) failoverAttempt);
    }

    /** One call's memory across its attempts: which endpoint failed last, to fail over from it. */
    private static final class Failover<C, R> {
        final ClientCall<C, R> call;
        PoolEndpoint<C> lastFailed;
        int attempts;

        Failover(ClientCall<C, R> call) {
            this.call = call;
        }
    }

    private Object attemptWithFailover(CallContext context, Failover<C, ?> failover) throws Exception {
        failover.attempts++;
        return attempt(context, failover.call, failover);
    }

    private <R> R attempt(CallContext context, ClientCall<C, R> call, Failover<C, ?> failover) throws Exception {
        PoolEndpoint<C> avoid = failover == null ? null : failover.lastFailed;
        LoadBalancer chooser = balancerFor(context);
        EndpointSet<PoolEndpoint<C>> snapshot = endpoints.get();
        for (int pick = 0; pick < PICKS; pick++) {
            PoolEndpoint<C> endpoint = chooser.pick(snapshot, context, avoid);
            if (endpoint == null) {
                break;
            }
            R result = tryCall(endpoint, context, call, failover);
            if (result != NOT_ADMITTED) {
                return result;
            }
            snapshot = endpoints.get();
        }
        // The balancer found nothing, or lost races for the endpoints it chose: any endpoint
        // that admits the call will do, the one to avoid last.
        for (PoolEndpoint<C> endpoint : snapshot.asList()) {
            if (endpoint != avoid) {
                R result = tryCall(endpoint, context, call, failover);
                if (result != NOT_ADMITTED) {
                    return result;
                }
            }
        }
        if (avoid != null && !avoid.isRemoved()) {
            R result = tryCall(avoid, context, call, failover);
            if (result != NOT_ADMITTED) {
                return result;
            }
        }
        if (panicMode && !snapshot.isEmpty()) {
            PoolEndpoint<C> endpoint = snapshot.get(Math.floorMod(panicTurn.getAndIncrement(), snapshot.size()));
            R result = invoke(endpoint, CircuitBreaker.NO_PERMIT, context, call, failover);
            if (result != NOT_ADMITTED) {
                return result;
            }
        }
        List<String> states = new ArrayList<>();
        for (PoolEndpoint<C> endpoint : snapshot.asList()) {
            states.add(endpoint.describe());
        }
        throw new NoEndpointAvailableException(name, states);
    }

    /** Returned internally when an endpoint did not admit the call; never escapes the pool. */
    private static final Object NOT_ADMITTED = new Object();

    @SuppressWarnings("unchecked")
    private <R> R tryCall(PoolEndpoint<C> endpoint, CallContext context, ClientCall<C, R> call, Failover<C, ?> failover)
            throws Exception {
        long permit = endpoint.breaker().tryAcquirePermission();
        if (permit == CircuitBreaker.NO_PERMIT) {
            return (R) NOT_ADMITTED;
        }
        return invoke(endpoint, permit, context, call, failover);
    }

    @SuppressWarnings("unchecked")
    private <R> R invoke(PoolEndpoint<C> endpoint, long permit, CallContext context, ClientCall<C, R> call,
            Failover<C, ?> failover) throws Exception {
        EndpointStats stats = endpoint.stats();
        stats.started();
        if (endpoint.isRemoved()) {
            // Picked from a snapshot taken before a removal that has since returned: not ours to call.
            stats.abandoned();
            endpoint.breaker().release(permit);
            finishRemoved(endpoint);
            return (R) NOT_ADMITTED;
        }
        long start = ticker.read();
        R result;
        try {
            result = middlewares.length == 0
                    ? call.call(endpoint.client(), endpoint, context)
                    : (R) new Chain<>(this, endpoint, context, call, failover == null ? 1 : failover.attempts, middlewares).proceed();
        } catch (Throwable error) {
            long now = ticker.read();
            endpoint.breaker().onResult(permit, now - start, null, error);
            stats.finished(now - start, false, now);
            finishRemoved(endpoint);
            if (failover != null) {
                failover.lastFailed = endpoint;
            }
            throw error;
        }
        long now = ticker.read();
        // Judged once, for the breaker and the endpoint's statistics alike.
        Verdict verdict = endpoint.breaker().config().classifier().classifyResult(result);
        endpoint.breaker().record(permit, now - start, verdict);
        stats.finished(now - start, !verdict.isFailure(), now);
        finishRemoved(endpoint);
        return result;
    }

    private void finishRemoved(PoolEndpoint<C> endpoint) {
        if (closeRemovedClients && endpoint.isRemoved() && endpoint.stats().inFlight() == 0) {
            endpoint.closeClient();
        }
    }

    private LoadBalancer balancerFor(CallContext context) {
        Strategy strategy = context.get(STRATEGY);
        if (strategy == null) {
            return balancer;
        }
        LoadBalancer existing = strategies.get(strategy.ordinal());
        if (existing != null) {
            return existing;
        }
        strategies.compareAndSet(strategy.ordinal(), null, LoadBalancers.create(strategy));
        return strategies.get(strategy.ordinal());
    }

    /** Closes every client that is closeable, and stops taking calls. */
    @Override
    public void close() {
        EndpointSet<PoolEndpoint<C>> last = endpoints.getAndSet(EndpointSet.empty());
        for (PoolEndpoint<C> endpoint : last.asList()) {
            endpoint.markRemoved();
            endpoint.closeClient();
        }
    }

    @Override
    public String toString() {
        return "ClientPool{" + name + ", " + endpoints.get().asList().stream().map(PoolEndpoint::describe).toList() + '}';
    }

    /** Builds a {@link ClientPool}. */
    public static final class Builder<C> {
        private final String name;
        private Strategy strategy = Strategy.ROUND_ROBIN;
        private LoadBalancer balancer;
        private CircuitBreakerConfig breakerConfig = CircuitBreakerConfig.defaults();
        private final List<Middleware> middlewares = new ArrayList<>();
        private Retry retry;
        private boolean panicMode;
        private boolean closeRemovedClients;
        private Duration latencyDecay = Duration.ofSeconds(10);
        private Ticker ticker = Ticker.system();

        private Builder(String name) {
            this.name = name;
        }

        /** The pool's balancing strategy (default round robin). */
        public Builder<C> strategy(Strategy chosen) {
            strategy = Check.notNull("strategy", chosen);
            balancer = null;
            return this;
        }

        /** A balancer of your own instead of a built-in strategy. */
        public Builder<C> balancer(LoadBalancer custom) {
            balancer = Check.notNull("balancer", custom);
            return this;
        }

        /** The breaker config of each endpoint unless it has its own (default: 5 consecutive failures, open 30 s). */
        public Builder<C> breaker(CircuitBreakerConfig config) {
            breakerConfig = Check.notNull("breaker", config);
            return this;
        }

        /** Adds a middleware; the first added is outermost. */
        public Builder<C> middleware(Middleware middleware) {
            middlewares.add(Check.notNull("middleware", middleware));
            return this;
        }

        /** Retries failed attempts, on another endpoint when there is one. */
        public Builder<C> retry(Retry failover) {
            retry = Check.notNull("retry", failover);
            return this;
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

        /** The clock for breakers and latency (default the system's). */
        public Builder<C> ticker(Ticker source) {
            ticker = Check.notNull("ticker", source);
            return this;
        }

        public ClientPool<C> build() {
            return new ClientPool<>(this);
        }
    }
}
