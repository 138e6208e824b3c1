package dev.bulwark.demo;

import dev.bulwark.CallContext;
import dev.bulwark.breaker.CircuitBreaker;
import dev.bulwark.breaker.CircuitBreakerListener;
import dev.bulwark.breaker.State;
import dev.bulwark.bulkhead.Bulkhead;
import dev.bulwark.bulkhead.BulkheadConfig;
import dev.bulwark.fallback.Fallback;
import dev.bulwark.fallback.StaleCache;
import dev.bulwark.call.Pipeline;
import dev.bulwark.ratelimit.TokenBucket;
import dev.bulwark.retry.Backoff;
import dev.bulwark.retry.Jitter;
import dev.bulwark.retry.Retry;
import dev.bulwark.retry.RetryBudget;
import dev.bulwark.testing.SimulatedDependency;
import dev.bulwark.timeout.Timeout;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The dependency behind a Bulwark pipeline, in the default order: fallback, stale cache, retry
 * (with a budget), rate limiter, bulkhead, circuit breaker, timeout.
 */
final class ProtectedClient {
    static final CallContext.Key<String> USER = CallContext.key("user");
    private static final int USERS = 50;
    private static final Duration DEADLINE = Duration.ofMillis(750);

    /** A breaker transition, stamped with the time since the drill began. */
    record Transition(Duration at, State from, State to, String reason) {
    }

    final CircuitBreaker breaker;
    final StaleCache<String, String> cache;
    final List<Transition> transitions = new CopyOnWriteArrayList<>();
    private final Pipeline<String> pipeline;
    private final SimulatedDependency dependency;
    private final long startNanos = System.nanoTime();

    ProtectedClient(SimulatedDependency dependency, int ratePerSecond, RunStats stats) {
        this.dependency = dependency;
        this.breaker = CircuitBreaker.builder("profiles")
                .consecutiveFailures(10)
                .failureRate(50).slowCallRate(90, Duration.ofMillis(450))
                .timeWindow(Duration.ofSeconds(2), 10).minimumCalls(10)
                .openFor(Duration.ofSeconds(1)).openBackoff(1.5, Duration.ofSeconds(2)).openJitter(0.2)
                .halfOpenProbes(2).halfOpenSuccesses(3)
                .listener(new CircuitBreakerListener() {
                    @Override
                    public void onStateTransition(CircuitBreaker b, State from, State to, String reason) {
                        transitions.add(new Transition(Duration.ofNanos(System.nanoTime() - startNanos), from, to, reason));
                    }
                })
                .build();
        this.cache = StaleCache.<String, String>builder("profiles").maxStaleness(Duration.ofMinutes(1)).build();
        stats.countStaleServesFrom(() -> cache.stats().staleServes());
        this.pipeline = Pipeline.<String>builder("profiles")
                .retry(Retry.builder("profiles").maxAttempts(2)
                        .backoff(Backoff.exponential(Duration.ofMillis(50), 2, Duration.ofMillis(500)).withJitter(Jitter.FULL))
                        .budget(RetryBudget.builder().ratio(0.1).minRetriesPerSecond(5).build())
                        .build())
                .rateLimiter(TokenBucket.builder("profiles").permitsPerSecond(ratePerSecond * 1.5).burst(20).build())
                .bulkhead(Bulkhead.of("profiles", BulkheadConfig.of(32)))
                .circuitBreaker(breaker)
                .timeout(Timeout.of("profiles", Duration.ofMillis(500)))
                .staleCache(cache, context -> context.get(USER))
                .fallback(Fallback.of(error -> {
                    stats.fallbackServes.increment();
                    return "default profile";
                }))
                .build();
    }

    void call(int sequence) {
        // The caller's own budget: retries and timeouts all fit inside it.
        CallContext context = CallContext.withDeadline(DEADLINE, dev.bulwark.time.Ticker.system())
                .with(USER, "user-" + sequence % USERS);
        pipeline.call(context, dependency::call);
    }
}
