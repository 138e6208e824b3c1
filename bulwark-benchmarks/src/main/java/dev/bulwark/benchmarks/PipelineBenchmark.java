package dev.bulwark.benchmarks;

import dev.bulwark.bulkhead.Bulkhead;
import dev.bulwark.bulkhead.BulkheadConfig;
import dev.bulwark.call.Pipeline;
import dev.bulwark.ratelimit.TokenBucket;
import dev.bulwark.retry.Backoff;
import dev.bulwark.retry.Retry;
import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeExecutor;
import dev.failsafe.RetryPolicy;
import io.github.resilience4j.decorators.Decorators;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Scenario 7: a successful call through rate limiter, bulkhead, breaker and retry composed (retry
 * outermost, each attempt limited, bulkheaded and seen by the breaker). Sentinel has no retry: it
 * applies its flow (rate and concurrency) and degrade rules in one entry.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class PipelineBenchmark {
    @Param({"bulwark", "resilience4j", "failsafe", "sentinel"})
    public String library;

    private Subject subject;

    @Setup
    public void setUp() {
        Duration open = Duration.ofSeconds(60);
        switch (library) {
            case "bulwark" -> {
                Pipeline<Object> pipeline = Pipeline.<Object>builder("bench")
                        .retry(Retry.builder("bench").maxAttempts(3).backoff(Backoff.fixed(Duration.ofMillis(10))).build())
                        .rateLimiter(TokenBucket.builder("bench").permitsPerSecond(1e9).burst(1_000_000).build())
                        .bulkhead(Bulkhead.of("bench", BulkheadConfig.of(BulkheadBenchmark.MAX)))
                        .circuitBreaker(Breakers.bulwark(false, open))
                        .build();
                subject = thread -> pipeline.call(Work.CALLABLE);
            }
            case "resilience4j" -> {
                Supplier<Object> decorated = Decorators.ofSupplier(Work.SUPPLIER)
                        .withCircuitBreaker(Breakers.resilience4j("resilience4j-count-sync", open))
                        .withBulkhead(io.github.resilience4j.bulkhead.Bulkhead.of("bench",
                                io.github.resilience4j.bulkhead.BulkheadConfig.custom().maxConcurrentCalls(BulkheadBenchmark.MAX)
                                        .maxWaitDuration(Duration.ZERO).build()))
                        .withRateLimiter(io.github.resilience4j.ratelimiter.RateLimiter.of("bench",
                                io.github.resilience4j.ratelimiter.RateLimiterConfig.custom().limitForPeriod(1_000_000_000)
                                        .limitRefreshPeriod(Duration.ofSeconds(1)).timeoutDuration(Duration.ZERO).build()))
                        .withRetry(io.github.resilience4j.retry.Retry.of("bench",
                                io.github.resilience4j.retry.RetryConfig.custom().maxAttempts(3).waitDuration(Duration.ofMillis(10)).build()))
                        .decorate();
                subject = thread -> decorated.get();
            }
            case "failsafe" -> {
                FailsafeExecutor<Object> executor = Failsafe.with(
                        RetryPolicy.builder().withMaxAttempts(3).withDelay(Duration.ofMillis(10)).build(),
                        dev.failsafe.RateLimiter.burstyBuilder(1_000_000_000, Duration.ofSeconds(1)).build(),
                        dev.failsafe.Bulkhead.builder(BulkheadBenchmark.MAX).build(),
                        Breakers.failsafe(open));
                subject = thread -> executor.get(Work.CHECKED);
            }
            case "sentinel" -> {
                Sentinel.load(List.of(Sentinel.breaker(60)), List.of(Sentinel.flow(1e9, true), Sentinel.flow(BulkheadBenchmark.MAX, false)));
                subject = Sentinel.subject(false);
            }
            default -> throw Subject.unknown(library);
        }
    }

    @Benchmark
    public Object call(PerThread thread) throws Exception {
        return subject.call(thread);
    }
}
