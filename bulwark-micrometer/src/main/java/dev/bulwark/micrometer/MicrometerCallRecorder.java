package dev.bulwark.micrometer;

import dev.bulwark.internal.Check;
import dev.bulwark.Verdict;
import dev.bulwark.call.CallRecorder;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Records every pool call on a Micrometer {@link MeterRegistry}: a request counter, a duration
 * timer with a histogram, and an error counter, each tagged {@code pool}, {@code endpoint} and
 * {@code outcome} ({@code success}, {@code failure} — a thrown error, or a result the chain's
 * classifier judges a failure, such as an HTTP 503 — or {@code rejected} when the call threw a
 * {@link dev.bulwark.RejectedException}: it was not run). The error counter counts the failures and
 * rejections. Hand it to a metrics stage:
 *
 * <pre>{@code
 * MicrometerCallRecorder recorder = MicrometerCallRecorder.of(meterRegistry);     // bulwark.pool.*
 * // or MicrometerCallRecorder.of(meterRegistry, CallMetricNames.MIDDLEWARE)       // middleware_requests_total, ...
 * ClientPool<URI> pool = ClientPool.<URI>builder("inventory")
 *     .stage(Stages.recover())
 *     .stage(Stages.metrics(recorder))
 *     .build();
 * }</pre>
 *
 * <p><b>Cost.</b> Looking a meter up in Micrometer builds an id and searches the registry, far too
 * slow for every call; so the meters of each (pool, endpoint, outcome) are made on the first call
 * with that combination and kept here, found afterwards by two hash lookups on the names. After
 * that first call, recording allocates nothing and takes no lock.
 *
 * <p><b>Histogram.</b> The timer publishes a percentile histogram: Micrometer's fixed bucket
 * series (about four buckets per doubling), clipped to the
 * {@linkplain Builder#expectedDurations expected durations}, 1 ms to 30 s by default, which makes
 * 68 buckets plus {@code +Inf}. Fixed buckets can be summed across endpoints and instances, so
 * percentiles come out right for a whole service. No service-level buckets are set: add them with
 * a {@code MeterFilter} if you want them, or narrow the range to publish fewer series.
 *
 * <p><b>Endpoints that go away.</b> Meters stay in the registry after their endpoint is removed
 * from its pool; {@link ClientPoolMeters#forgetting(MicrometerCallRecorder)} drops them once a
 * removed endpoint has drained, or call {@link #forget(String, String)} yourself. Thread-safe.
 */
public final class MicrometerCallRecorder implements CallRecorder {
    static final String POOL_TAG = "pool";
    static final String ENDPOINT_TAG = "endpoint";

    private final MeterRegistry registry;
    private final CallMetricNames names;
    private final HistogramRange range;
    private final Map<String, Map<String, EndpointMeters>> pools = new ConcurrentHashMap<>();

    private MicrometerCallRecorder(Builder b) {
        this.registry = b.registry;
        this.names = b.names;
        this.range = b.range;
    }

    /** A recorder on {@code registry} with Bulwark's meter names and the default histogram. */
    public static MicrometerCallRecorder of(MeterRegistry registry) {
        return builder(registry).build();
    }

    /** A recorder on {@code registry} with the meter names {@code names} and the default histogram. */
    public static MicrometerCallRecorder of(MeterRegistry registry, CallMetricNames names) {
        return builder(registry).names(names).build();
    }

    public static Builder builder(MeterRegistry registry) {
        return new Builder(Check.notNull("registry", registry));
    }

    /** The meter names this recorder records under. */
    public CallMetricNames names() {
        return names;
    }

    @Override
    public void record(String pool, String endpoint, Verdict verdict, Throwable error, long durationNanos) {
        Outcome outcome = Outcome.of(verdict, error);
        OutcomeMeters meters = endpointMeters(pool, endpoint).get(outcome);
        meters.requests.increment();
        meters.duration.record(Math.max(0, durationNanos), TimeUnit.NANOSECONDS);
        if (meters.errors != null) {
            meters.errors.increment();
        }
    }

    /**
     * Removes the meters of endpoint {@code endpoint} of pool {@code pool} from the registry, e.g.
     * once the endpoint has left the pool for good. A call still running on it and finishing later
     * makes them anew. Returns whether there were any.
     */
    public boolean forget(String pool, String endpoint) {
        Map<String, EndpointMeters> endpoints = pools.get(pool);
        EndpointMeters removed = endpoints == null ? null : endpoints.remove(endpoint);
        if (removed == null) {
            return false;
        }
        removed.removeFrom(registry);
        return true;
    }

    private EndpointMeters endpointMeters(String pool, String endpoint) {
        Map<String, EndpointMeters> endpoints = pools.get(pool);
        if (endpoints == null) {
            endpoints = pools.computeIfAbsent(pool, p -> new ConcurrentHashMap<>());
        }
        EndpointMeters meters = endpoints.get(endpoint);
        if (meters == null) {
            meters = endpoints.computeIfAbsent(endpoint, e -> new EndpointMeters(pool, e));
        }
        return meters;
    }

    /** The meters of one endpoint of one pool, one set per outcome, each made on first use. */
    private final class EndpointMeters {
        private final String pool;
        private final String endpoint;
        private final AtomicReferenceArray<OutcomeMeters> byOutcome = new AtomicReferenceArray<>(Outcome.values().length);

        EndpointMeters(String pool, String endpoint) {
            this.pool = pool;
            this.endpoint = endpoint;
        }

        OutcomeMeters get(Outcome outcome) {
            OutcomeMeters meters = byOutcome.get(outcome.ordinal());
            if (meters != null) {
                return meters;
            }
            // Registering is idempotent in Micrometer, so two threads racing here get the same meters.
            byOutcome.compareAndSet(outcome.ordinal(), null, create(outcome));
            return byOutcome.get(outcome.ordinal());
        }

        private OutcomeMeters create(Outcome outcome) {
            Tags tags = Tags.of(POOL_TAG, pool, ENDPOINT_TAG, endpoint, Outcome.TAG, outcome.tag);
            Counter requests = Counter.builder(names.requests())
                    .description("Calls made through the pool, by pool, endpoint and outcome")
                    .tags(tags)
                    .register(registry);
            Timer duration = range.applyTo(Timer.builder(names.duration())
                    .description("How long the pool's calls took, the stages inside the metrics one included")
                    .tags(tags))
                    .register(registry);
            Counter errors = outcome == Outcome.SUCCESS ? null : Counter.builder(names.errors())
                    .description("Calls through the pool that failed or were rejected, by pool, endpoint and outcome")
                    .tags(tags)
                    .register(registry);
            return new OutcomeMeters(requests, duration, errors);
        }

        void removeFrom(MeterRegistry from) {
            for (int i = 0; i < byOutcome.length(); i++) {
                OutcomeMeters meters = byOutcome.get(i);
                if (meters != null) {
                    from.remove(meters.requests);
                    from.remove(meters.duration);
                    if (meters.errors != null) {
                        from.remove(meters.errors);
                    }
                }
            }
        }
    }

    /** The meters of one (pool, endpoint, outcome); {@code errors} is null for successes. */
    private record OutcomeMeters(Counter requests, Timer duration, Counter errors) {
    }

    /** Builds a {@link MicrometerCallRecorder}. */
    public static final class Builder {
        private final MeterRegistry registry;
        private CallMetricNames names = CallMetricNames.BULWARK;
        private HistogramRange range = HistogramRange.DEFAULT;

        private Builder(MeterRegistry registry) {
            this.registry = registry;
        }

        /** The meter names (default {@link CallMetricNames#BULWARK}). */
        public Builder names(CallMetricNames chosen) {
            names = Check.notNull("names", chosen);
            return this;
        }

        /**
         * The range of call durations the histogram resolves (default 1 ms to 30 s): buckets below
         * {@code min} and above {@code max} are not published, so a narrower range means fewer
         * time series per endpoint and outcome.
         */
        public Builder expectedDurations(Duration min, Duration max) {
            range = HistogramRange.of(min, max);
            return this;
        }

        public MicrometerCallRecorder build() {
            return new MicrometerCallRecorder(this);
        }
    }
}
