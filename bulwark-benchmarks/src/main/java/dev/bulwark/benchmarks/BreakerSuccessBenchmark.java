package dev.bulwark.benchmarks;

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

/** Scenario 1: a call through a closed breaker that succeeds. */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class BreakerSuccessBenchmark {
    @Param({"bulwark", "bulwark-time", "bulwark-permit",
            "resilience4j-count-sync", "resilience4j-count-lockfree", "resilience4j-time-sync", "resilience4j-time-lockfree",
            "failsafe", "failsafe-permit", "sentinel"})
    public String library;

    private Subject subject;

    @Setup
    public void setUp() {
        subject = Breakers.subject(library, false, Duration.ofSeconds(60));
    }

    @Benchmark
    public Object call(PerThread thread) throws Exception {
        return subject.call(thread);
    }
}
