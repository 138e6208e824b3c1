package dev.bulwark.grpc.internal;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Call latencies in log-spaced buckets (8 a power of two, from 1 µs to about 70 s): lock-free,
 * fixed memory, percentiles within about 9 % of the true value. Enough for a stats snapshot; a
 * metrics backend keeps the real histogram.
 */
public final class LatencyHistogram {
    private static final int SUB = 8;
    private static final int POWERS = 27; // 2^0 .. 2^26 µs
    private final AtomicLongArray counts = new AtomicLongArray(POWERS * SUB + 1);

    /** Records one latency. Allocation-free. */
    public void record(long nanos) {
        counts.incrementAndGet(bucket(Math.max(0, nanos / 1000)));
    }

    /** The {@code q}-quantile in nanoseconds (the upper bound of its bucket), 0 without data. */
    public long quantileNanos(double q) {
        long total = 0;
        for (int i = 0; i < counts.length(); i++) {
            total += counts.get(i);
        }
        if (total == 0) {
            return 0;
        }
        long rank = (long) Math.ceil(q * total);
        long seen = 0;
        for (int i = 0; i < counts.length(); i++) {
            seen += counts.get(i);
            if (seen >= rank) {
                return upperMicros(i) * 1000;
            }
        }
        return upperMicros(counts.length() - 1) * 1000;
    }

    private static int bucket(long micros) {
        if (micros < 1) {
            return 0;
        }
        int power = 63 - Long.numberOfLeadingZeros(micros);
        if (power >= POWERS) {
            return POWERS * SUB;
        }
        int sub = power < 3 ? (int) (micros - (1L << power)) * SUB >> power : (int) ((micros >> (power - 3)) & (SUB - 1));
        return power * SUB + sub;
    }

    private static long upperMicros(int bucket) {
        int power = bucket / SUB;
        int sub = bucket % SUB;
        if (power >= POWERS) {
            return 1L << POWERS;
        }
        return (1L << power) + (((long) (sub + 1) << power) / SUB);
    }
}
