package dev.bulwark.testing.sim;

import dev.bulwark.CallContext;
import dev.bulwark.InvalidConfigException;
import dev.bulwark.Verdict;
import dev.bulwark.balance.EndpointSet;
import dev.bulwark.balance.Exclusion;
import dev.bulwark.balance.EndpointStats;
import dev.bulwark.balance.LoadBalancer;
import dev.bulwark.balance.LoadBalancers;
import dev.bulwark.breaker.CircuitBreaker;
import dev.bulwark.breaker.CircuitBreakerConfig;
import dev.bulwark.internal.Check;
import dev.bulwark.testing.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.SplittableRandom;

/**
 * A deterministic discrete-event simulation of a client balancing requests over backends, in
 * virtual time: the real balancers, the real {@link EndpointStats} and (optionally) real per-backend
 * {@link CircuitBreaker}s, driven by an event queue on one thread. The same settings and seed give
 * the same {@link SimulationReport}, to the last request.
 *
 * <pre>{@code
 * LatencyDistribution normal = LatencyDistribution.logNormal(Duration.ofMillis(10), Duration.ofMillis(50));
 * Simulation stalled = Simulation.builder()
 *     .backend(Backend.builder("stuck").stalled(Duration.ofSeconds(2)).build())
 *     .backends(10, i -> Backend.healthy("b" + i, normal))
 *     .arrivalEvery(Duration.ofMillis(1)).requests(200_000).timeout(Duration.ofSeconds(1)).seed(42)
 *     .build();
 * SimulationReport ewma = stalled.run(Balancing.of(Strategy.PEAK_EWMA));
 * SimulationReport best = stalled.run(Balancing.oracle("stuck"));
 * }</pre>
 *
 * <h2>The model</h2>
 * <ul>
 *   <li>Requests arrive at a fixed rate, one every {@link Builder#arrivalEvery(Duration)}.</li>
 *   <li>Each is given to the balancer's pick; as a client pool does, a pick whose breaker then
 *       refuses a permit is retried (three picks), then every backend is tried in order; if none
 *       admits the request it fails at once as "no endpoint".</li>
 *   <li>The chosen backend draws whether the request fails and how long it takes
 *       ({@link Backend}). The backend's statistics count it in flight from then on.</li>
 *   <li>An answer before the client's {@link Builder#timeout(Duration) timeout} ends the request:
 *       statistics and breaker learn its duration and outcome. Otherwise the request fails at the
 *       timeout: the statistics learn a sample of the timeout's length and the breaker a failure
 *       then, but the request stays in flight on its backend until the backend answers, as a
 *       stuck backend keeps its connections busy; its late answer teaches nothing more.</li>
 *   <li>Time is a {@link FakeTicker} moved to each event's time; randomness comes from
 *       {@link SplittableRandom}s split off the seed (one for the balancer, one for the backends,
 *       one for hash keys), so a strategy that draws more random numbers does not change what the
 *       backends do.</li>
 * </ul>
 * Latency percentiles are over every request, measured from arrival to the moment the client
 * learns the outcome: an answer, a failure, the timeout, or 0 for "no endpoint".
 *
 * <p>Breakers with an {@code openJitter} draw it from the thread's random generator, which makes
 * runs unrepeatable; leave jitter at 0 here.
 */
public final class Simulation {
    private final List<Backend> backends;
    private final long intervalNanos;
    private final int requests;
    private final long timeoutNanos;
    private final long seed;
    private final CircuitBreakerConfig breaker;
    private final Duration latencyDecay;
    private final int hashKeys;

    private Simulation(Builder b) {
        this.backends = List.copyOf(b.backends);
        this.intervalNanos = b.intervalNanos;
        this.requests = b.requests;
        this.timeoutNanos = b.timeoutNanos;
        this.seed = b.seed;
        this.breaker = b.breaker;
        this.latencyDecay = b.latencyDecay;
        this.hashKeys = b.hashKeys;
    }

    public static Builder builder() {
        return new Builder();
    }

    public List<Backend> backends() {
        return backends;
    }

    public int requests() {
        return requests;
    }

    /** Runs the simulation once with a fresh balancer made by {@code balancing}. */
    public SimulationReport run(Balancing balancing) {
        return new Run(Check.notNull("balancing", balancing)).execute();
    }

    /** Runs the simulation once per balancing, each from the same seed. */
    public List<SimulationReport> runAll(List<Balancing> balancings) {
        List<SimulationReport> reports = new ArrayList<>();
        for (Balancing balancing : balancings) {
            reports.add(run(balancing));
        }
        return reports;
    }

    @Override
    public String toString() {
        return "Simulation{" + requests + " requests every " + Duration.ofNanos(intervalNanos) + ", timeout "
                + Duration.ofNanos(timeoutNanos) + ", seed " + seed + ", " + backends + '}';
    }

    private static final int ARRIVAL = 0;
    private static final int ANSWER = 1;
    private static final int TIMEOUT = 2;
    private static final int PICKS = 3;

    /** Something that happens at a moment of virtual time; equal moments keep scheduling order. */
    private static final class Event {
        final long time;
        final long sequence;
        final int kind;
        final Request request;

        Event(long time, long sequence, int kind, Request request) {
            this.time = time;
            this.sequence = sequence;
            this.kind = kind;
            this.request = request;
        }
    }

    private static final class Request {
        final int id;
        final long start;
        final SimEndpoint endpoint;
        final long permit;
        final boolean fails;
        boolean timedOut;

        Request(int id, long start, SimEndpoint endpoint, long permit, boolean fails) {
            this.id = id;
            this.start = start;
            this.endpoint = endpoint;
            this.permit = permit;
            this.fails = fails;
        }
    }

    /** One run: its own clock, randomness, endpoints and balancer. */
    private final class Run {
        private final Balancing balancing;
        private final FakeTicker ticker = new FakeTicker();
        private final SplittableRandom balancerRandom;
        private final SplittableRandom backendRandom;
        private final SplittableRandom keyRandom;
        private final PriorityQueue<Event> queue = new PriorityQueue<>(
                (a, b) -> a.time != b.time ? Long.compare(a.time, b.time) : Long.compare(a.sequence, b.sequence));
        private final SimEndpoint[] endpoints;
        private final EndpointSet<SimEndpoint> set;
        private final LoadBalancer balancer;
        private final CallContext[] contexts;
        private final long[] latencies = new long[requests];
        private final long origin = ticker.read();
        private long sequence;
        private long succeeded;
        private long failed;
        private long timedOut;
        private long noEndpoint;

        Run(Balancing balancing) {
            this.balancing = balancing;
            SplittableRandom root = new SplittableRandom(seed);
            balancerRandom = root.split();
            backendRandom = root.split();
            keyRandom = root.split();
            endpoints = new SimEndpoint[backends.size()];
            for (int i = 0; i < endpoints.length; i++) {
                Backend backend = backends.get(i);
                endpoints[i] = new SimEndpoint(backend, i, new EndpointStats(ticker, latencyDecay),
                        breaker == null ? null : CircuitBreaker.of(backend.name(), breaker, ticker));
            }
            set = EndpointSet.of(endpoints);
            balancer = balancing.create(balancerRandom);
            contexts = new CallContext[hashKeys];
            for (int k = 0; k < hashKeys; k++) {
                contexts[k] = CallContext.none().with(LoadBalancers.HASH_KEY, "key-" + k);
            }
        }

        SimulationReport execute() {
            if (requests > 0) {
                schedule(origin, ARRIVAL, null);
            }
            int arrived = 0;
            while (!queue.isEmpty()) {
                Event event = queue.poll();
                ticker.set(event.time);
                switch (event.kind) {
                    case ARRIVAL -> {
                        arrive(arrived++);
                        if (arrived < requests) {
                            schedule(origin + arrived * intervalNanos, ARRIVAL, null);
                        }
                    }
                    case ANSWER -> answer(event.request);
                    case TIMEOUT -> timeOut(event.request);
                    default -> throw new IllegalStateException("event kind " + event.kind);
                }
            }
            return report();
        }

        private void schedule(long time, int kind, Request request) {
            queue.add(new Event(time, sequence++, kind, request));
        }

        private void arrive(int id) {
            long now = ticker.read();
            CallContext context = hashKeys == 0 ? CallContext.none() : contexts[keyRandom.nextInt(hashKeys)];
            SimEndpoint chosen = null;
            long permit = CircuitBreaker.NO_PERMIT;
            for (int pick = 0; pick < PICKS && chosen == null; pick++) {
                SimEndpoint candidate = (SimEndpoint) balancer.pick(set, context, Exclusion.NONE);
                if (candidate == null) {
                    break;
                }
                permit = candidate.tryAcquire();
                chosen = permit == CircuitBreaker.NO_PERMIT ? null : candidate;
            }
            for (int i = 0; i < endpoints.length && chosen == null; i++) {
                permit = endpoints[i].tryAcquire();
                chosen = permit == CircuitBreaker.NO_PERMIT ? null : endpoints[i];
            }
            if (chosen == null) {
                noEndpoint++;
                latencies[id] = 0;
                return;
            }
            boolean fails = chosen.backend.drawFailure(backendRandom);
            long latency = chosen.backend.drawLatency(fails, backendRandom);
            Request request = new Request(id, now, chosen, permit, fails);
            chosen.requests++;
            chosen.stats().started();
            if (latency >= timeoutNanos) {
                schedule(now + timeoutNanos, TIMEOUT, request);
            }
            schedule(now + latency, ANSWER, request);
        }

        private void answer(Request request) {
            EndpointStats stats = request.endpoint.stats();
            if (request.timedOut) {
                stats.abandoned(); // the backend is finally free; the client gave up long ago
                return;
            }
            long now = ticker.read();
            long duration = now - request.start;
            stats.finished(duration, !request.fails, now);
            record(request, duration, request.fails ? Verdict.FAILURE : Verdict.SUCCESS);
            latencies[request.id] = duration;
            if (request.fails) {
                failed++;
            } else {
                succeeded++;
            }
        }

        private void timeOut(Request request) {
            request.timedOut = true;
            request.endpoint.stats().observe(timeoutNanos, ticker.read());
            record(request, timeoutNanos, Verdict.FAILURE);
            latencies[request.id] = timeoutNanos;
            timedOut++;
        }

        private void record(Request request, long durationNanos, Verdict verdict) {
            CircuitBreaker b = request.endpoint.breaker();
            if (b != null) {
                b.record(request.permit, durationNanos, verdict);
            }
        }

        private SimulationReport report() {
            long[] sorted = latencies.clone();
            Arrays.sort(sorted);
            Map<String, Long> byBackend = new LinkedHashMap<>();
            int inFlight = 0;
            for (SimEndpoint e : endpoints) {
                byBackend.put(e.name(), e.requests);
                inFlight += e.stats().inFlight();
            }
            return new SimulationReport(balancing.name(), requests, succeeded, failed, timedOut, noEndpoint,
                    percentile(sorted, 0.50), percentile(sorted, 0.99), percentile(sorted, 0.999),
                    sorted.length == 0 ? 0 : sorted[sorted.length - 1], byBackend, inFlight,
                    ticker.read() - origin);
        }
    }

    /** The nearest-rank percentile of sorted values: the smallest value at or above a fraction {@code q} of them. */
    static long percentile(long[] sorted, double q) {
        if (sorted.length == 0) {
            return 0;
        }
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length, rank) - 1)];
    }

    /**
     * Builds a {@link Simulation}. Defaults: no backends (add some), one request per millisecond,
     * 10 000 requests, a 1 s timeout, seed 1, no breakers, latency estimates decaying over 10 s
     * (as a pool's), no hash keys.
     */
    public static final class Builder {
        private final List<Backend> backends = new ArrayList<>();
        private long intervalNanos = 1_000_000L;
        private int requests = 10_000;
        private long timeoutNanos = 1_000_000_000L;
        private long seed = 1;
        private CircuitBreakerConfig breaker;
        private Duration latencyDecay = Duration.ofSeconds(10);
        private int hashKeys;

        private Builder() {
        }

        /** Adds a backend; names must be unique. */
        public Builder backend(Backend backend) {
            Check.notNull("backend", backend);
            for (Backend b : backends) {
                if (b.name().equals(backend.name())) {
                    throw new InvalidConfigException("backend.name", backend.name(), "a name not already in the simulation");
                }
            }
            backends.add(backend);
            return this;
        }

        /** Adds {@code count} backends made by {@code make} from 0, 1, ... */
        public Builder backends(int count, java.util.function.IntFunction<Backend> make) {
            Check.atLeast("count", count, 0);
            Check.notNull("make", make);
            for (int i = 0; i < count; i++) {
                backend(make.apply(i));
            }
            return this;
        }

        /** One request arrives every {@code interval} (default 1 ms). */
        public Builder arrivalEvery(Duration interval) {
            intervalNanos = Check.nanos(Check.positive("arrivalEvery", interval));
            return this;
        }

        /** How many requests arrive in all (default 10 000). */
        public Builder requests(int count) {
            requests = Check.atLeast("requests", count, 0);
            return this;
        }

        /** The client gives up on a request after {@code limit} (default 1 s). */
        public Builder timeout(Duration limit) {
            timeoutNanos = Check.nanos(Check.positive("timeout", limit));
            return this;
        }

        /** The seed of every random choice: balancer, backends, keys (default 1). */
        public Builder seed(long value) {
            seed = value;
            return this;
        }

        /** Gives each backend its own breaker of {@code config}, as a client pool does; a backend whose breaker is open is unavailable. */
        public Builder breaker(CircuitBreakerConfig config) {
            breaker = Check.notNull("breaker", config);
            return this;
        }

        /** How fast the peak-EWMA latency estimates forget (default 10 s, as a pool's). */
        public Builder latencyDecay(Duration decay) {
            latencyDecay = Check.positive("latencyDecay", decay);
            return this;
        }

        /**
         * Gives each request a {@link LoadBalancers#HASH_KEY} drawn uniformly from {@code keys}
         * distinct keys, for consistent hashing (default 0: no key).
         */
        public Builder hashKeys(int keys) {
            hashKeys = Check.atLeast("hashKeys", keys, 0);
            return this;
        }

        public Simulation build() {
            if (backends.isEmpty()) {
                throw new InvalidConfigException("backends", "[]", "at least one backend");
            }
            return new Simulation(this);
        }
    }
}
