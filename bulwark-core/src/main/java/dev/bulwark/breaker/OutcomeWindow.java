package dev.bulwark.breaker;

import dev.bulwark.internal.TimeBuckets;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

/** The sliding window a breaker's rate rules are judged on: the last N calls, or the last T. */
abstract class OutcomeWindow {
    static final int FAILED = 1;
    static final int SLOW = 2;

    /** Records one call; {@code outcome} is a mix of {@link #FAILED} and {@link #SLOW}. */
    abstract void record(int outcome, long nowNanos);

    abstract long calls(long nowNanos);

    abstract long failures(long nowNanos);

    abstract long slowCalls(long nowNanos);

    /** Whether this window has the same shape as {@code config} asks, so it can be kept on reconfiguration. */
    abstract boolean fits(CircuitBreakerConfig config);

    static OutcomeWindow of(CircuitBreakerConfig config, long nowNanos) {
        return config.windowBuckets() == 0
                ? new CountWindow(config.windowSize())
                : new TimeWindow(config.windowBuckets(), config.windowNanos() / config.windowBuckets(), nowNanos);
    }

    /**
     * The last {@code size} calls, as a ring of outcome codes. A writer claims a slot with one
     * getAndIncrement, swaps its code in, and adjusts the packed totals by the difference
     * (failures in the low 32 bits, slow calls in the high 32), so a success replacing a success
     * touches no shared total, and a success into a full window of successes writes nothing.
     */
    static final class CountWindow extends OutcomeWindow {
        private final int size;
        private final AtomicIntegerArray ring;
        private final AtomicLong head = new AtomicLong();
        private final AtomicLong totals = new AtomicLong();

        CountWindow(int size) {
            this.size = size;
            this.ring = new AtomicIntegerArray(size);
        }

        @Override
        void record(int outcome, long nowNanos) {
            // A full window of nothing but successes stays the same when one more success comes:
            // skip the write. Once a failure or slow call is in it, every call is recorded again,
            // so that outcome leaves the window after exactly size more calls. A healthy breaker's
            // success path thus only reads shared memory and never contends.
            if (outcome == 0 && totals.get() == 0 && head.get() >= size) {
                return;
            }
            int slot = (int) (head.getAndIncrement() % size);
            int old = ring.getAndSet(slot, outcome);
            if (old != outcome) {
                long delta = ((outcome & FAILED) - (old & FAILED))
                        + ((long) (((outcome & SLOW) - (old & SLOW)) >> 1) << 32);
                totals.getAndAdd(delta);
            }
        }

        @Override
        long calls(long nowNanos) {
            return Math.min(head.get(), size);
        }

        @Override
        long failures(long nowNanos) {
            long t = totals.get();
            // Racing adjustments may borrow across the packed halves for an instant; never report below zero.
            return Math.max(0, (int) t);
        }

        @Override
        long slowCalls(long nowNanos) {
            long t = totals.get();
            // The low half is a signed count; remove it exactly to read the high half.
            return Math.max(0, (t - (int) t) >> 32);
        }

        @Override
        boolean fits(CircuitBreakerConfig config) {
            return config.windowBuckets() == 0 && config.windowSize() == size;
        }
    }

    /** The calls of the last {@code buckets × bucketNanos}, counted in time slices. */
    static final class TimeWindow extends OutcomeWindow {
        private static final int CALLS = 0;
        private static final int FAILURES = 1;
        private static final int SLOW_CALLS = 2;

        private final TimeBuckets buckets;

        TimeWindow(int buckets, long bucketNanos, long nowNanos) {
            this.buckets = new TimeBuckets(buckets, bucketNanos, 3, nowNanos);
        }

        @Override
        void record(int outcome, long nowNanos) {
            buckets.add3(nowNanos, 1, outcome & FAILED, (outcome & SLOW) >> 1);
        }

        @Override
        long calls(long nowNanos) {
            return buckets.sum(nowNanos, CALLS);
        }

        @Override
        long failures(long nowNanos) {
            return buckets.sum(nowNanos, FAILURES);
        }

        @Override
        long slowCalls(long nowNanos) {
            return buckets.sum(nowNanos, SLOW_CALLS);
        }

        @Override
        boolean fits(CircuitBreakerConfig config) {
            return config.windowBuckets() == buckets.buckets()
                    && config.windowNanos() / config.windowBuckets() == buckets.bucketNanos();
        }
    }
}
