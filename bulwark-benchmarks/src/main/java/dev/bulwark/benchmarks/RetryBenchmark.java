package dev.bulwark.benchmarks;

import dev.bulwark.retry.Backoff;
import dev.bulwark.retry.Retry;
import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeExecutor;
import dev.failsafe.RetryPolicy;
import java.time.Duration;
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

/** Scenario 6: a call wrapped in a retry (3 attempts) that succeeds at once. Sentinel has no retry. */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class RetryBenchmark {
    @Param({"bulwark", "resilience4j", "failsafe"})
    public String library;

    private Subject subject;

    @Setup
    public void setUp() {
        switch (library) {
            case "bulwark" -> {
                Retry retry = Retry.builder("bench").maxAttempts(3).backoff(Backoff.fixed(Duration.ofMillis(10))).build();
                subject = thread -> retry.call(Work.CALLABLE);
            }
            case "resilience4j" -> {
                io.github.resilience4j.retry.Retry retry = io.github.resilience4j.retry.Retry.of("bench",
                        io.github.resilience4j.retry.RetryConfig.custom().maxAttempts(3).waitDuration(Duration.ofMillis(10)).build());
                subject = thread -> retry.executeSupplier(Work.SUPPLIER);
            }
            case "failsafe" -> {
                FailsafeExecutor<Object> executor = Failsafe.with(
                        RetryPolicy.builder().withMaxAttempts(3).withDelay(Duration.ofMillis(10)).build());
                subject = thread -> executor.get(Work.CHECKED);
            }
            default -> throw Subject.unknown(library);
        }
    }

    @Benchmark
    public Object call(PerThread thread) throws Exception {
        return subject.call(thread);
    }
}
