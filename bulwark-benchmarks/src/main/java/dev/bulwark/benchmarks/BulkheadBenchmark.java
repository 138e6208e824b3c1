package dev.bulwark.benchmarks;

import dev.bulwark.bulkhead.Bulkhead;
import dev.bulwark.bulkhead.BulkheadConfig;
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

/** Scenario 5: taking and giving back a semaphore bulkhead's permit (never full: 10 permits). */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@State(Scope.Benchmark)
public class BulkheadBenchmark {
    static final int MAX = 10;

    @Param({"bulwark", "resilience4j", "failsafe", "sentinel"})
    public String library;

    private Subject subject;

    @Setup
    public void setUp() {
        switch (library) {
            case "bulwark" -> {
                Bulkhead bulkhead = Bulkhead.of("bench", BulkheadConfig.of(MAX));
                subject = thread -> {
                    if (!bulkhead.tryAcquirePermission()) {
                        return null;
                    }
                    try {
                        return Work.RESULT;
                    } finally {
                        bulkhead.release();
                    }
                };
            }
            case "resilience4j" -> {
                io.github.resilience4j.bulkhead.Bulkhead bulkhead = io.github.resilience4j.bulkhead.Bulkhead.of("bench",
                        io.github.resilience4j.bulkhead.BulkheadConfig.custom().maxConcurrentCalls(MAX)
                                .maxWaitDuration(Duration.ZERO).build());
                subject = thread -> {
                    if (!bulkhead.tryAcquirePermission()) {
                        return null;
                    }
                    try {
                        return Work.RESULT;
                    } finally {
                        bulkhead.onComplete();
                    }
                };
            }
            case "failsafe" -> {
                dev.failsafe.Bulkhead<Object> bulkhead = dev.failsafe.Bulkhead.builder(MAX).build();
                subject = thread -> {
                    if (!bulkhead.tryAcquirePermit()) {
                        return null;
                    }
                    try {
                        return Work.RESULT;
                    } finally {
                        bulkhead.releasePermit();
                    }
                };
            }
            case "sentinel" -> {
                Sentinel.load(List.of(), List.of(Sentinel.flow(MAX, false)));
                subject = Sentinel.subject(false);
            }
            default -> throw Subject.unknown(library);
        }
    }

    @Benchmark
    public Object acquireAndRelease(PerThread thread) throws Exception {
        return subject.call(thread);
    }
}
