package dev.bulwark.breaker;

import dev.bulwark.internal.TimeBuckets;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;

/** The sliding window a breaker's rate rules are judged on: the last N calls, or the last T. */
abstract class OutcomeWindow {
    static final int FAILED = 1;
    static final int SLOW = 2;
    /** Always with {@link #FAILED}: a timeout that counts is a failure. */
    static final int TIMED_OUT = 4;

    /** Records one call; {@code outcome} is a mix of {@link #FAILED}, {@link #SLOW} and {@link #TIMED_OUT}. */
    abstract void record(int outcome, long nowNanos);

    abstract long calls(long nowNanos);

    abstract long failures(long nowNanos);

    abstract long slowCalls(long nowNanos);

    abstract long timeouts(long nowNanos);

    /** Whether the window holds nothing but successes: a quick check read before judging rules. */
    abstract boolean clean(long nowNanos);

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
     * (failures in the low 32 bits, slow calls in the high 32; timeouts, a subset of failures, in
     * a counter of their own), so a success replacing a success touches no shared total, and a
     * success into a full window of successes writes nothing.
     */
    static final class CountWindow extends OutcomeWindow {
        private final int size;
        private final AtomicIntegerArray ring;
        private final AtomicLong head = new AtomicLong();
        private final AtomicLong totals = new AtomicLong();
        private final AtomicLong timeouts = new AtomicLong();

        CountWindow(int size) {
            this.size = size;
            this.ring = new AtomicIntegerArray(size);
        }

        @Override
        void record(int outcome, long nowNanos) {
            // A full window of nothing but successes stays the same when one more success comes:
            // skip the write. Once a failure or slow call is in it, every call is recorded again,
            // so that outcome leaves the window after exactly size more calls. A healthy breaker's
            // success path thus only reads shared memory and never contends. (A timeout is always
            // a failure, so no timeout hides in a window whose totals are zero.)
            if (outcome == 0 && totals.get() == 0 && head.get() >= size) {
                return;
            }
            int slot = (int) (head.getAndIncrement() % size);
            int old = ring.getAndSet(slot, outcome);
            if (old != outcome) {
                long delta = ((outcome & FAILED) - (old & FAILED))
                        + ((long) (((outcome & SLOW) - (old & SLOW)) >> 1) << 32);
                totals.getAndAdd(delta);
                int timeoutDelta = ((outcome & TIMED_OUT) - (old & TIMED_OUT)) >> 2;
                if (timeoutDelta != 0) {
                    timeouts.getAndAdd(timeoutDelta);
                }
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
        long timeouts(long nowNanos) {
            return Math.max(0, timeouts.get());
        }

        @Override
        boolean clean(long nowNanos) {
            return totals.get() == 0;
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
        private static final int TIMEOUTS = 3;

        private final TimeBuckets buckets;

        TimeWindow(int buckets, long bucketNanos, long nowNanos) {
            this.buckets = new TimeBuckets(buckets, bucketNanos, 4, nowNanos);
        }

        @Override
        void record(int outcome, long nowNanos) {
            buckets.add4(nowNanos, 1, outcome & FAILED, (outcome & SLOW) >> 1, (outcome & TIMED_OUT) >> 2);
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
        long timeouts(long nowNanos) {
            return buckets.sum(nowNanos, TIMEOUTS);
        }

        @Override
        boolean clean(long nowNanos) {
            return buckets.sum(nowNanos, FAILURES) == 0 && buckets.sum(nowNanos, SLOW_CALLS) == 0;
        }

        @Override
        boolean fits(CircuitBreakerConfig config) {
            return config.windowBuckets() == buckets.buckets()
                    && config.windowNanos() / config.windowBuckets() == buckets.bucketNanos();
        }
    }
}
