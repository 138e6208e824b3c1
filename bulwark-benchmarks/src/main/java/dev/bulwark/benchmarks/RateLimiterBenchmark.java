package dev.bulwark.benchmarks;

import dev.bulwark.ratelimit.TokenBucket;
import java.time.Duration;
import java.util.List;
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
 * Scenario 4: asking a rate limiter for a permit, well under its limit (every call passes) and far
 * over it (every call is refused). Each library's non-throwing API.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class RateLimiterBenchmark {
    @Param({"bulwark", "resilience4j", "failsafe", "sentinel"})
    public String library;

    @Param({"under", "over"})
    public String load;

    private Subject subject;

    @Setup
    public void setUp() {
        boolean under = load.equals("under");
        switch (library) {
            case "bulwark" -> {
                TokenBucket bucket = under
                        ? TokenBucket.builder("bench").permitsPerSecond(1e9).burst(1_000_000).build()
                        : TokenBucket.builder("bench").permitsPerSecond(1.0 / 3600).burst(1).build();
                subject = thread -> bucket.tryAcquire() ? Work.RESULT : null;
            }
            case "resilience4j" -> {
                io.github.resilience4j.ratelimiter.RateLimiter limiter = io.github.resilience4j.ratelimiter.RateLimiter.of("bench",
                        io.github.resilience4j.ratelimiter.RateLimiterConfig.custom()
                                .limitForPeriod(under ? 1_000_000_000 : 1)
                                .limitRefreshPeriod(under ? Duration.ofSeconds(1) : Duration.ofHours(1))
                                .timeoutDuration(Duration.ZERO)
                                .build());
                subject = thread -> limiter.acquirePermission() ? Work.RESULT : null;
            }
            case "failsafe" -> {
                dev.failsafe.RateLimiter<Object> limiter = under
                        ? dev.failsafe.RateLimiter.burstyBuilder(1_000_000_000, Duration.ofSeconds(1)).build()
                        : dev.failsafe.RateLimiter.burstyBuilder(1, Duration.ofHours(1)).build();
                subject = thread -> limiter.tryAcquirePermit() ? Work.RESULT : null;
            }
            case "sentinel" -> {
                Sentinel.load(List.of(), List.of(Sentinel.flow(under ? 1e9 : 1, true)));
                subject = Sentinel.subject(false);
            }
            default -> throw Subject.unknown(library);
        }
    }

    @Benchmark
    public Object acquire(PerThread thread) throws Exception {
        return subject.call(thread);
    }
}
