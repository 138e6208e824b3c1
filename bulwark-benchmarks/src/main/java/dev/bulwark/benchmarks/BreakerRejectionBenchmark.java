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

/** Scenario 3: a call rejected by an open breaker. */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class BreakerRejectionBenchmark {
    @Param({"bulwark", "bulwark-permit", "resilience4j-count-sync", "resilience4j-count-lockfree",
            "failsafe", "failsafe-permit", "sentinel"})
    public String library;

    private Subject subject;

    @Setup
    public void setUp() throws Exception {
        subject = Breakers.subject(library, true, Duration.ofHours(1));
        PerThread tripper = new PerThread(new Work.AlwaysFails());
        for (int i = 0; i < 1_000; i++) {
            try {
                subject.call(tripper);
            } catch (RuntimeException expected) {
                // failures and, once it trips, rejections
            }
        }
        PerThread probe = new PerThread();
        try {
            subject.call(probe);
        } catch (RuntimeException rejected) {
            // the lambda APIs reject by throwing
        }
        if (probe.failures.calls != 0) {
            throw new IllegalStateException(library + ": the breaker did not open; the scenario would measure calls, not rejections");
        }
    }

    @Benchmark
    public Object call(PerThread thread) throws Exception {
        try {
            return subject.call(thread);
        } catch (RuntimeException rejected) {
            return rejected;
        }
    }
}
