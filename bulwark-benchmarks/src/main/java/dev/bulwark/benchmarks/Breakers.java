package dev.bulwark.benchmarks;

import dev.bulwark.breaker.CircuitBreaker;
import dev.bulwark.breaker.CircuitBreakerConfig;
import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeExecutor;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.SlidingWindowSynchronizationStrategy;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.SlidingWindowType;
import java.time.Duration;
import java.util.List;

/**
 * The same breaker in each library: trips at 50 % failures over the last 100 calls (or the last
 * 10 s), once 100 calls were seen; 10 % failures never trip it. Variants:
 * {@code bulwark} (lambda API, count window), {@code bulwark-time}, {@code bulwark-permit} (the
 * allocation-free permission API), {@code resilience4j-{count,time}-{sync,lockfree}},
 * {@code failsafe} ({@code Failsafe.with(breaker)}), {@code failsafe-permit} and {@code sentinel}.
 */
final class Breakers {
    static final String[] VARIANTS = {"bulwark", "bulwark-time", "bulwark-permit",
        "resilience4j-count-sync", "resilience4j-count-lockfree", "resilience4j-time-sync", "resilience4j-time-lockfree",
        "failsafe", "failsafe-permit", "sentinel"};

    private Breakers() {
    }

    static CircuitBreaker bulwark(boolean timeWindow, Duration openFor) {
        CircuitBreakerConfig.Builder b = CircuitBreakerConfig.builder().failureRate(50).minimumCalls(100).openFor(openFor);
        if (timeWindow) {
            b.timeWindow(Duration.ofSeconds(10), 10);
        } else {
            b.countWindow(100);
        }
        return CircuitBreaker.of("bench", b.build());
    }

    static io.github.resilience4j.circuitbreaker.CircuitBreaker resilience4j(String variant, Duration openFor) {
        boolean time = variant.contains("time");
        SlidingWindowSynchronizationStrategy sync = variant.contains("lockfree")
                ? SlidingWindowSynchronizationStrategy.LOCK_FREE : SlidingWindowSynchronizationStrategy.SYNCHRONIZED;
        return io.github.resilience4j.circuitbreaker.CircuitBreaker.of("bench",
                io.github.resilience4j.circuitbreaker.CircuitBreakerConfig.custom()
                        .failureRateThreshold(50)
                        .slidingWindow(time ? 10 : 100, 100, time ? SlidingWindowType.TIME_BASED : SlidingWindowType.COUNT_BASED, sync)
                        .waitDurationInOpenState(openFor)
                        .build());
    }

    static dev.failsafe.CircuitBreaker<Object> failsafe(Duration openFor) {
        return dev.failsafe.CircuitBreaker.builder().withFailureThreshold(50, 100).withDelay(openFor).build();
    }

    /** The protected call of {@code variant}; with {@code failing}, every tenth call of a thread fails. */
    static Subject subject(String variant, boolean failing, Duration openFor) {
        switch (variant) {
            case "bulwark", "bulwark-time": {
                CircuitBreaker breaker = bulwark(variant.endsWith("time"), openFor);
                return thread -> breaker.call(thread.callable(failing));
            }
            case "bulwark-permit": {
                CircuitBreaker breaker = bulwark(false, openFor);
                return thread -> {
                    long permit = breaker.tryAcquirePermission();
                    if (permit == CircuitBreaker.NO_PERMIT) {
                        return null;
                    }
                    // As a transport would: read the clock only if the breaker uses durations.
                    boolean timed = breaker.measuresDuration();
                    long start = timed ? System.nanoTime() : 0;
                    try {
                        Object result = thread.run(failing);
                        breaker.onSuccess(permit, timed ? System.nanoTime() - start : 0);
                        return result;
                    } catch (RuntimeException e) {
                        breaker.onFailure(permit, timed ? System.nanoTime() - start : 0, e);
                        throw e;
                    }
                };
            }
            case "failsafe": {
                FailsafeExecutor<Object> executor = Failsafe.with(failsafe(openFor));
                return thread -> executor.get(thread.checked(failing));
            }
            case "failsafe-permit": {
                dev.failsafe.CircuitBreaker<Object> breaker = failsafe(openFor);
                return thread -> {
                    if (!breaker.tryAcquirePermit()) {
                        return null;
                    }
                    try {
                        Object result = thread.run(failing);
                        breaker.recordSuccess();
                        return result;
                    } catch (RuntimeException e) {
                        breaker.recordFailure();
                        throw e;
                    }
                };
            }
            case "sentinel":
                Sentinel.load(List.of(Sentinel.breaker((int) Math.min(Integer.MAX_VALUE, openFor.toSeconds()))), List.of());
                return Sentinel.subject(failing);
            default: {
                if (!variant.startsWith("resilience4j")) {
                    throw Subject.unknown(variant);
                }
                io.github.resilience4j.circuitbreaker.CircuitBreaker breaker = resilience4j(variant, openFor);
                return thread -> breaker.executeSupplier(thread.supplier(failing));
            }
        }
    }
}
