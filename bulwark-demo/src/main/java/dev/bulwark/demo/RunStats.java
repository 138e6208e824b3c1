package dev.bulwark.demo;

import java.util.Arrays;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/** What one client saw: outcomes of every call and its latency as the caller felt it. */
final class RunStats {
    final LongAdder calls = new LongAdder();
    final LongAdder answered = new LongAdder();
    final LongAdder errors = new LongAdder();
    final LongAdder fallbackServes = new LongAdder();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger peakInFlight = new AtomicInteger();
    private final ConcurrentLinkedQueue<Long> latenciesNanos = new ConcurrentLinkedQueue<>();
    private volatile LongSupplier staleServes = () -> 0;

    /** Where this client's stale serves are counted (the pipeline's stale cache). */
    void countStaleServesFrom(LongSupplier source) {
        staleServes = source;
    }

    long staleServes() {
        return staleServes.getAsLong();
    }

    void started() {
        calls.increment();
        peakInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
    }

    void finished(long latencyNanos, boolean answeredCall) {
        inFlight.decrementAndGet();
        latenciesNanos.add(latencyNanos);
        (answeredCall ? answered : errors).increment();
    }

    int inFlight() {
        return inFlight.get();
    }

    int peakInFlight() {
        return peakInFlight.get();
    }

    /** Answers that came from the dependency itself, not from the stale cache or the fallback. */
    long realSuccesses() {
        return answered.sum() - staleServes() - fallbackServes.sum();
    }

    double percentOfCalls(long count) {
        long total = calls.sum();
        return total == 0 ? 0 : 100.0 * count / total;
    }

    /** The {@code q}-quantile of caller latency in nanoseconds, 0 without data. */
    long latencyQuantile(double q) {
        long[] sorted = latenciesNanos.stream().mapToLong(Long::longValue).toArray();
        if (sorted.length == 0) {
            return 0;
        }
        Arrays.sort(sorted);
        return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)];
    }
}
