package dev.bulwark.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.InvalidConfigException;
import dev.bulwark.breaker.CircuitBreakerConfig;
import dev.bulwark.Verdict;
import dev.bulwark.call.ClientPool;
import dev.bulwark.call.Stage;
import dev.bulwark.call.Stages;
import dev.bulwark.ratelimit.RateLimitedException;
import dev.bulwark.ratelimit.TokenBucket;
import dev.bulwark.testing.FakeTicker;
import dev.bulwark.testing.VirtualScheduler;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Calls through a real pool with the metrics stage, counted and timed in virtual time. */
class MicrometerCallRecorderTest {
    private static final Duration SUCCESS_TIME = Duration.ofMillis(10);
    private static final Duration FAILURE_TIME = Duration.ofMillis(30);

    private final VirtualScheduler scheduler = new VirtualScheduler();
    private final FakeTicker ticker = scheduler.ticker();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    /** The endpoint the last call went to, seen by a stage inside the metrics one. */
    private final AtomicReference<String> lastEndpoint = new AtomicReference<>();

    /** A pool of two endpoints whose calls are timed on the fake ticker and limited to {@code burst} calls. */
    private ClientPool<String> pool(MicrometerCallRecorder recorder, int burst) {
        TokenBucket limiter = TokenBucket.builder("inventory").permitsPerSecond(0.001).burst(burst).scheduler(scheduler).build();
        Stage spy = invocation -> {
            lastEndpoint.set(invocation.endpoint().name());
            return invocation.proceed();
        };
        ClientPool<String> pool = ClientPool.<String>builder("inventory")
                .ticker(ticker)
                .breaker(CircuitBreakerConfig.builder().consecutiveFailures(1000).build())
                .stage(Stages.metrics(recorder, ticker))
                .stage(spy)
                .stage(Stages.rateLimiter(limiter, Duration.ZERO))
                .build();
        pool.add("inventory-1", "client-1");
        pool.add("inventory-2", "client-2");
        return pool;
    }

    /** Makes one call that succeeds, fails or is rate limited; returns "endpoint/outcome" as the test expects it. */
    private String call(ClientPool<String> pool, boolean fail) {
        lastEndpoint.set(null);
        try {
            pool.call((client, endpoint, context) -> {
                ticker.advance(fail ? FAILURE_TIME : SUCCESS_TIME);
                if (fail) {
                    throw new IllegalStateException("inventory is down");
                }
                return client;
            });
            return lastEndpoint.get() + "/success";
        } catch (RateLimitedException rejected) {
            return lastEndpoint.get() + "/rejected";
        } catch (IllegalStateException failed) {
            return lastEndpoint.get() + "/failure";
        }
    }

    @Test
    void countsAndTimesEveryOutcomeUnderItsPoolEndpointAndOutcomeTags() {
        MicrometerCallRecorder recorder = MicrometerCallRecorder.of(registry);
        ClientPool<String> pool = pool(recorder, 7);
        Map<String, Integer> expected = new HashMap<>();
        // 7 permits: 4 successes and 3 failures run; the next 3 calls are rate limited inside the
        // metrics middleware, so they are recorded as rejected.
        boolean[] script = {false, true, false, false, true, false, true, false, false, true};
        for (boolean fail : script) {
            expected.merge(call(pool, fail), 1, Integer::sum);
        }

        assertThat(expected.keySet()).allMatch(k -> k.startsWith("inventory-1/") || k.startsWith("inventory-2/"));
        assertThat(sumOf(expected, "/success")).isEqualTo(4);
        assertThat(sumOf(expected, "/failure")).isEqualTo(3);
        assertThat(sumOf(expected, "/rejected")).isEqualTo(3);
        for (String endpoint : new String[] {"inventory-1", "inventory-2"}) {
            for (String outcome : new String[] {"success", "failure", "rejected"}) {
                int calls = expected.getOrDefault(endpoint + "/" + outcome, 0);
                Counter requests = registry.find("bulwark.pool.requests")
                        .tags("pool", "inventory", "endpoint", endpoint, "outcome", outcome).counter();
                Timer duration = registry.find("bulwark.pool.request.duration")
                        .tags("pool", "inventory", "endpoint", endpoint, "outcome", outcome).timer();
                Counter errors = registry.find("bulwark.pool.request.errors")
                        .tags("pool", "inventory", "endpoint", endpoint, "outcome", outcome).counter();
                if (calls == 0) {
                    assertThat(requests).as("no %s/%s call, no meter", endpoint, outcome).isNull();
                    continue;
                }
                assertThat(requests.count()).as("%s/%s requests", endpoint, outcome).isEqualTo(calls);
                assertThat(duration.count()).isEqualTo(calls);
                long each = switch (outcome) {
                    case "success" -> SUCCESS_TIME.toNanos();
                    case "failure" -> FAILURE_TIME.toNanos();
                    default -> 0; // rejected before the call ran: no time passed
                };
                assertThat(duration.totalTime(TimeUnit.NANOSECONDS)).as("%s/%s total time", endpoint, outcome)
                        .isEqualTo((double) calls * each);
                if (outcome.equals("success")) {
                    assertThat(errors).as("successes are not errors").isNull();
                } else {
                    assertThat(errors.count()).as("%s/%s errors", endpoint, outcome).isEqualTo(calls);
                }
            }
        }
    }

    @Test
    void publishesAPercentileHistogramWithinTheExpectedDurations() {
        // The simple registry keeps no percentile histograms (it cannot aggregate them); Prometheus's does.
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        MicrometerCallRecorder recorder = MicrometerCallRecorder.of(registry);
        ClientPool<String> pool = pool(recorder, 100);
        int successes = 0;
        for (int i = 0; i < 5; i++) {
            successes += call(pool, false).endsWith("/success") ? 1 : 0;
        }
        assertThat(successes).isEqualTo(5);

        List<Timer> timers = List.copyOf(registry.find("bulwark.pool.request.duration").tag("outcome", "success").timers());
        assertThat(timers).isNotEmpty();
        assertThat(timers.stream().mapToLong(Timer::count).sum()).isEqualTo(5);
        double tenMillis = SUCCESS_TIME.toNanos();
        for (Timer timer : timers) {
            CountAtBucket[] buckets = timer.takeSnapshot().histogramCounts();
            assertThat(buckets).hasSizeGreaterThan(10);
            for (CountAtBucket bucket : buckets) {
                assertThat(bucket.bucket(TimeUnit.MILLISECONDS)).isBetween(1.0, 30_000.0);
                // Cumulative buckets: a bound at or above 10 ms holds every call of its timer, a bound below none.
                assertThat(bucket.count()).as("calls at or below %s ms", bucket.bucket(TimeUnit.MILLISECONDS))
                        .isEqualTo(bucket.bucket() >= tenMillis ? timer.count() : 0);
            }
        }
    }

    @Test
    void middlewareNamesRecordUnderTheSeedCompatibleMeterNames() {
        MicrometerCallRecorder recorder = MicrometerCallRecorder.of(registry, CallMetricNames.MIDDLEWARE);
        ClientPool<String> pool = pool(recorder, 2);
        String ok = call(pool, false);
        String failed = call(pool, true);

        assertThat(recorder.names()).isEqualTo(CallMetricNames.MIDDLEWARE);
        assertThat(registry.find("bulwark.pool.requests").meters()).isEmpty();
        assertThat(count(registry, "middleware.requests", ok)).isEqualTo(1);
        assertThat(count(registry, "middleware.requests", failed)).isEqualTo(1);
        assertThat(count(registry, "middleware.request.errors", failed)).isEqualTo(1);
        String[] tags = tagsOf(failed);
        assertThat(registry.get("middleware.request.duration").tags(tags).timer().totalTime(TimeUnit.MILLISECONDS))
                .isEqualTo(30.0);
    }

    @Test
    void reusesItsMetersAfterTheFirstCallOfEachCombination() {
        MicrometerCallRecorder recorder = MicrometerCallRecorder.of(registry);
        recorder.record("p", "e", Verdict.SUCCESS, null, 1_000);
        int meters = registry.getMeters().size();
        Counter first = registry.get("bulwark.pool.requests").tags("pool", "p", "endpoint", "e", "outcome", "success").counter();
        for (int i = 0; i < 1_000; i++) {
            recorder.record("p", "e", Verdict.SUCCESS, null, 1_000);
        }
        assertThat(registry.getMeters()).hasSize(meters);
        assertThat(registry.get("bulwark.pool.requests").tags("pool", "p", "endpoint", "e", "outcome", "success").counter())
                .isSameAs(first);
        assertThat(first.count()).isEqualTo(1_001);
    }

    @Test
    void aRejectionCarriedInAWrapperIsStillARejection() {
        MicrometerCallRecorder recorder = MicrometerCallRecorder.of(registry);
        TokenBucket limiter = TokenBucket.builder("l").permitsPerSecond(1).burst(1).scheduler(scheduler).build();
        recorder.record("p", "e", Verdict.FAILURE, new CompletionException(limiter.rejection()), 0);
        recorder.record("p", "e", Verdict.FAILURE, new CompletionException(new IllegalStateException("down")), 0);

        assertThat(registry.get("bulwark.pool.requests").tags("outcome", "rejected").counter().count()).isEqualTo(1);
        assertThat(registry.get("bulwark.pool.requests").tags("outcome", "failure").counter().count()).isEqualTo(1);
    }

    @Test
    void forgetRemovesAnEndpointsMeters() {
        MicrometerCallRecorder recorder = MicrometerCallRecorder.of(registry);
        recorder.record("p", "gone", Verdict.SUCCESS, null, 1_000);
        recorder.record("p", "gone", Verdict.FAILURE, new IllegalStateException(), 1_000);
        recorder.record("p", "kept", Verdict.SUCCESS, null, 1_000);

        assertThat(recorder.forget("p", "gone")).isTrue();
        assertThat(recorder.forget("p", "gone")).isFalse();
        assertThat(registry.find("bulwark.pool.requests").tag("endpoint", "gone").meters()).isEmpty();
        assertThat(registry.find("bulwark.pool.request.duration").tag("endpoint", "gone").meters()).isEmpty();
        assertThat(registry.find("bulwark.pool.request.errors").tag("endpoint", "gone").meters()).isEmpty();
        assertThat(registry.get("bulwark.pool.requests").tag("endpoint", "kept").counter().count()).isEqualTo(1);

        recorder.record("p", "gone", Verdict.SUCCESS, null, 1_000); // it came back: counted afresh
        assertThat(registry.get("bulwark.pool.requests").tag("endpoint", "gone").counter().count()).isEqualTo(1);
    }

    @Test
    void rejectsAnEmptyRangeOfExpectedDurations() {
        assertThatThrownBy(() -> MicrometerCallRecorder.builder(registry)
                .expectedDurations(Duration.ofSeconds(1), Duration.ofMillis(5)))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> {
                    assertThat(e.field()).isEqualTo("expectedDurations.max");
                    assertThat(e.value()).isEqualTo("PT0.005S");
                    assertThat(e.allowed()).contains("> min");
                });
        assertThatThrownBy(() -> MicrometerCallRecorder.builder(registry).expectedDurations(Duration.ZERO, Duration.ofSeconds(1)))
                .isInstanceOfSatisfying(InvalidConfigException.class,
                        e -> assertThat(e.field()).isEqualTo("expectedDurations.min"));
        assertThatThrownBy(() -> MicrometerCallRecorder.of(null))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.field()).isEqualTo("registry"));
    }

    private static int sumOf(Map<String, Integer> tally, String suffix) {
        return tally.entrySet().stream().filter(e -> e.getKey().endsWith(suffix)).mapToInt(Map.Entry::getValue).sum();
    }

    private static String[] tagsOf(String endpointSlashOutcome) {
        String[] parts = endpointSlashOutcome.split("/");
        return new String[] {"pool", "inventory", "endpoint", parts[0], "outcome", parts[1]};
    }

    private static double count(MeterRegistry registry, String name, String endpointSlashOutcome) {
        return registry.get(name).tags(tagsOf(endpointSlashOutcome)).counter().count();
    }
}
