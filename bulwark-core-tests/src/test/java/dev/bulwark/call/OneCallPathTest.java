package dev.bulwark.call;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.CallContext;
import dev.bulwark.balance.Endpoint;
import dev.bulwark.balance.LoadBalancer;
import dev.bulwark.breaker.CircuitBreaker;
import dev.bulwark.breaker.CircuitBreakerConfig;
import dev.bulwark.breaker.CircuitBreakerMetrics;
import dev.bulwark.fallback.Fallback;
import dev.bulwark.retry.Backoff;
import dev.bulwark.retry.Retry;
import dev.bulwark.retry.RetryListener;
import dev.bulwark.testing.VirtualScheduler;
import dev.bulwark.timeout.CallTimeoutException;
import dev.bulwark.timeout.Timeout;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * The composed path end to end, in one chain, synchronous and asynchronous: retry fails over to an
 * endpoint not yet tried, each attempt is one outcome of one endpoint's breaker, a timeout stops
 * the attempt, a fallback answers a rejection, and nothing is counted twice.
 */
class OneCallPathTest {
    private final VirtualScheduler scheduler = new VirtualScheduler();
    private final List<String> attempts = new CopyOnWriteArrayList<>();
    private final List<String> retries = new CopyOnWriteArrayList<>();

    /** Picks the first available endpoint the call has not tried, in the order added: a predictable failover. */
    private static final LoadBalancer IN_ORDER = (endpoints, context, tried) -> {
        Endpoint fallback = null;
        for (Endpoint e : endpoints.asList()) {
            if (e.isAvailable()) {
                if (!tried.excludes(e)) {
                    return e;
                }
                fallback = fallback == null ? e : fallback;
            }
        }
        return fallback;
    };

    private final CircuitBreaker service = CircuitBreaker.builder("service").consecutiveFailures(50)
            .failureRate(100).countWindow(20).minimumCalls(20).scheduler(scheduler).build();

    private ClientPool<String> pool() {
        ClientPool<String> pool = ClientPool.<String>builder("inventory")
                .scheduler(scheduler)
                .balancer(IN_ORDER)
                .breaker(CircuitBreakerConfig.builder().consecutiveFailures(50).failureRate(100).countWindow(20)
                        .minimumCalls(20).build())
                .retry(Retry.builder("inventory").maxAttempts(3).backoff(Backoff.fixed(Duration.ofMillis(10)))
                        .scheduler(scheduler).listener(new RetryListener() {
                            @Override
                            public void onRetry(Retry r, int attempt, Throwable error, long delayNanos) {
                                retries.add(attempt + ": " + error.getClass().getSimpleName());
                            }
                        }).build())
                .circuitBreaker(service)
                .timeout(Timeout.of("inventory", Duration.ofMillis(100), scheduler))
                .stage(Stage.named("attempts", invocation -> {
                    attempts.add(invocation.attempt() + " " + invocation.endpoint().name());
                    return invocation.proceed();
                }))
                .build();
        pool.add("slow", "slow");
        pool.add("broken", "broken");
        pool.add("good", "good");
        return pool;
    }

    private static CircuitBreakerMetrics breaker(ClientPool<String> pool, String name) {
        return pool.endpoint(name).orElseThrow().breaker().metrics();
    }

    @Test
    void synchronousCallFailsOverAttemptByAttemptAndCountsEachOnce() {
        ClientPool<String> pool = pool();

        String answer = pool.call((client, endpoint, context) -> {
            switch (client) {
                case "slow" -> scheduler.sleep(Duration.ofSeconds(1).toNanos()); // interrupted at 100 ms
                case "broken" -> throw new IOException("connection reset");
                default -> { }
            }
            return "stock from " + client;
        });

        assertThat(answer).isEqualTo("stock from good");
        assertThat(attempts).containsExactly("1 slow", "2 broken", "3 good");
        assertThat(retries).containsExactly("1: CallTimeoutException", "2: CallFailedException");
        assertCountedOnce(pool);
    }

    @Test
    void aStageWithoutAnAsynchronousFaceFailsAsynchronousCallsNamingItself() {
        ClientPool<String> pool = pool();
        List<String> called = new CopyOnWriteArrayList<>();

        CompletableFuture<String> answer = pool.callAsync((client, endpoint, context) -> {
            called.add(client);
            return CompletableFuture.completedFuture(client);
        });

        assertThat(answer).isCompletedExceptionally();
        assertThatThrownBy(answer::join).hasRootCauseInstanceOf(StageContractException.class)
                .hasRootCauseMessage("stage 'attempts' has no asynchronous face: implement Stage.callAsync, or build it"
                        + " with Stages.observing");
        assertThat(called).isEmpty();
        for (PoolEndpoint<String> e : pool.endpoints()) {
            assertThat(e.stats().inFlight()).as("the pick let go of " + e.name()).isZero();
            assertThat(e.breaker().metrics().probesInFlight()).isZero();
        }
    }

    @Test
    void asynchronousCallThroughStagesWithBothFaces() {
        ClientPool<String> pool = ClientPool.<String>builder("inventory")
                .scheduler(scheduler)
                .balancer(IN_ORDER)
                .breaker(CircuitBreakerConfig.builder().consecutiveFailures(50).failureRate(100).countWindow(20)
                        .minimumCalls(20).build())
                .retry(Retry.builder("inventory").maxAttempts(3).backoff(Backoff.fixed(Duration.ofMillis(10)))
                        .scheduler(scheduler).build())
                .circuitBreaker(service)
                .timeout(Timeout.of("inventory", Duration.ofMillis(100), scheduler))
                .stage(Stages.observing("attempts", new StageObserver<Void>() {
                    @Override
                    public Void onStart(Invocation invocation) {
                        attempts.add(invocation.attempt() + " " + invocation.endpoint().name());
                        return null;
                    }

                    @Override
                    public void onEnd(Invocation invocation, Void state, Object result, Throwable error,
                            dev.bulwark.Verdict verdict, long durationNanos) {
                    }
                }, scheduler.ticker()))
                .build();
        pool.add("slow", "slow");
        pool.add("broken", "broken");
        pool.add("good", "good");
        Map<String, CompletableFuture<String>> started = new ConcurrentHashMap<>();

        CompletableFuture<String> answer = pool.callAsync((client, endpoint, context) -> {
            CompletableFuture<String> call = switch (client) {
                case "slow" -> new CompletableFuture<>();
                case "broken" -> CompletableFuture.failedFuture(new IOException("connection reset"));
                default -> CompletableFuture.completedFuture("stock from " + client);
            };
            started.put(client, call);
            return call;
        });
        scheduler.advance(Duration.ofMillis(100));
        assertThat(started.get("slow")).as("the timeout cancelled the attempt").isCancelled();
        assertThat(answer).as("backing off on a timer, no thread held").isNotDone();
        scheduler.advance(Duration.ofMillis(20));

        assertThat(answer).isCompletedWithValue("stock from good");
        assertThat(attempts).containsExactly("1 slow", "2 broken", "3 good");
        assertCountedOnce(pool);
    }

    private void assertCountedOnce(ClientPool<String> pool) {
        assertThat(breaker(pool, "slow").calls()).isEqualTo(1);
        assertThat(breaker(pool, "slow").failures()).isEqualTo(1);
        assertThat(breaker(pool, "slow").timeouts()).as("the timeout counts as a timeout").isEqualTo(1);
        assertThat(breaker(pool, "broken").calls()).isEqualTo(1);
        assertThat(breaker(pool, "broken").failures()).isEqualTo(1);
        assertThat(breaker(pool, "good").calls()).isEqualTo(1);
        assertThat(breaker(pool, "good").failures()).isZero();
        assertThat(service.metrics().calls()).as("one outcome per attempt for the service breaker too").isEqualTo(3);
        assertThat(service.metrics().failures()).isEqualTo(2);
        for (PoolEndpoint<String> e : pool.endpoints()) {
            assertThat(e.stats().inFlight()).as(e.name() + " in flight").isZero();
            assertThat(e.stats().successes() + e.stats().failures()).as(e.name() + " finished once").isEqualTo(1);
        }
    }

    @Test
    void aFallbackAnswersARejectionSyncAndAsync() {
        ClientPool<String> pool = pool();
        pool.endpoints().forEach(e -> e.breaker().forceOpen());
        Fallback<String> degraded = Fallback.of(error -> "degraded: " + error.getClass().getSimpleName());

        String sync = pool.call(CallContext.none(), (client, endpoint, context) -> client, degraded);
        CompletableFuture<String> async = pool.callAsync(CallContext.none(),
                (client, endpoint, context) -> CompletableFuture.completedFuture(client), degraded);

        assertThat(sync).isEqualTo("degraded: NoEndpointAvailableException");
        assertThat(async).isCompletedWithValue("degraded: NoEndpointAvailableException");
        assertThat(attempts).as("no attempt reached an endpoint").isEmpty();
        assertThat(service.metrics().calls()).as("a rejection is no outcome of the service").isZero();
    }

    @Test
    void aTimeoutThatStopsTheLastAttemptEndsTheCallWithIt() {
        ClientPool<String> pool = pool();
        pool.remove("broken");
        pool.remove("good");

        assertThatThrownBy(() -> pool.call((client, endpoint, context) -> {
            scheduler.sleep(Duration.ofSeconds(1).toNanos());
            return client;
        })).isInstanceOf(dev.bulwark.retry.RetriesExhaustedException.class).hasCauseInstanceOf(CallTimeoutException.class);
        assertThat(attempts).as("the only endpoint, tried again").containsExactly("1 slow", "2 slow", "3 slow");
    }

    @Test
    void aPipelineIsTheSameChainWithoutAPick() {
        List<String> seen = new ArrayList<>();
        Pipeline<String> pipeline = Pipeline.<String>builder("single")
                .retry(Retry.builder("single").maxAttempts(2).backoff(Backoff.none()).scheduler(scheduler).build())
                .stage(invocation -> {
                    seen.add(invocation.attempt() + " " + invocation.endpoint());
                    return invocation.proceed();
                })
                .build();
        int[] calls = {0};
        String answer = pipeline.call(() -> {
            if (calls[0]++ == 0) {
                throw new UncheckedIOException(new IOException("once"));
            }
            return "ok";
        });
        assertThat(answer).isEqualTo("ok");
        assertThat(seen).containsExactly("1 null", "2 null");
    }
}
