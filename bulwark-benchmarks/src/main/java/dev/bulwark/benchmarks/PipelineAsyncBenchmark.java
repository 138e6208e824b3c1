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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Scenario 8: the composed path of scenario 7 (retry, rate limiter, bulkhead, breaker) called
 * asynchronously with an already completed stage, so that what is measured is each library's
 * asynchronous composition: Bulwark's {@code Pipeline.callAsync}, Resilience4j's
 * {@code Decorators.ofCompletionStage} and Failsafe's {@code getStageAsync}. Failsafe runs its
 * async executions on an executor: here a direct one ({@code Runnable::run}), so that no library
 * pays for a thread hop the others do not make.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class PipelineAsyncBenchmark {
    private static final CompletableFuture<Object> DONE = CompletableFuture.completedFuture(Work.RESULT);
    private static final Supplier<CompletionStage<Object>> STAGE = () -> DONE;

    @Param({"bulwark", "resilience4j", "failsafe"})
    public String library;

    private Subject subject;
    private ScheduledExecutorService retryScheduler;

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
                subject = thread -> pipeline.callAsync(STAGE).join();
            }
            case "resilience4j" -> {
                retryScheduler = Executors.newSingleThreadScheduledExecutor();
                Supplier<CompletionStage<Object>> decorated = Decorators.ofCompletionStage(STAGE)
                        .withCircuitBreaker(Breakers.resilience4j("resilience4j-count-sync", open))
                        .withBulkhead(io.github.resilience4j.bulkhead.Bulkhead.of("bench",
                                io.github.resilience4j.bulkhead.BulkheadConfig.custom().maxConcurrentCalls(BulkheadBenchmark.MAX)
                                        .maxWaitDuration(Duration.ZERO).build()))
                        .withRateLimiter(io.github.resilience4j.ratelimiter.RateLimiter.of("bench",
                                io.github.resilience4j.ratelimiter.RateLimiterConfig.custom().limitForPeriod(1_000_000_000)
                                        .limitRefreshPeriod(Duration.ofSeconds(1)).timeoutDuration(Duration.ZERO).build()))
                        .withRetry(io.github.resilience4j.retry.Retry.of("bench",
                                io.github.resilience4j.retry.RetryConfig.custom().maxAttempts(3).waitDuration(Duration.ofMillis(10))
                                        .build()), retryScheduler)
                        .decorate();
                subject = thread -> decorated.get().toCompletableFuture().join();
            }
            case "failsafe" -> {
                FailsafeExecutor<Object> executor = Failsafe.with(
                        RetryPolicy.builder().withMaxAttempts(3).withDelay(Duration.ofMillis(10)).build(),
                        dev.failsafe.RateLimiter.burstyBuilder(1_000_000_000, Duration.ofSeconds(1)).build(),
                        dev.failsafe.Bulkhead.builder(BulkheadBenchmark.MAX).build(),
                        Breakers.failsafe(open)).with(Runnable::run);
                subject = thread -> executor.getStageAsync(() -> DONE).join();
            }
            default -> throw Subject.unknown(library);
        }
    }

    @TearDown
    public void tearDown() {
        if (retryScheduler != null) {
            retryScheduler.shutdownNow();
        }
    }

    @Benchmark
    public Object call(PerThread thread) throws Exception {
        return subject.call(thread);
    }
}
