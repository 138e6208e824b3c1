package dev.bulwark.internal;

import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Counters over a sliding time window made of {@code buckets} equal slices, lock-free.
 *
 * <p>Each slot holds a bucket stamped with the time slice it counts. A writer that finds an
 * older bucket in its slot swaps in a fresh one by CAS, so a bucket object is allocated once per
 * slice, never per call, and a late write to a replaced bucket only touches expired data.
 * A sum covers the current slice and the {@code buckets - 1} before it. Slices are aligned to the
 * moment the counters were created, not to the ticker's zero, so a window made at time t counts
 * its first full slice from t: a sum holds between {@code (buckets − 1) × bucketNanos} and
 * {@code buckets × bucketNanos} of history.
 */
public final class TimeBuckets {
    private final int buckets;
    private final long bucketNanos;
    private final int counters;
    private final long origin;
    private final AtomicReferenceArray<Bucket> slots;

    /** Counters whose first slice starts at {@code nowNanos}. */
    public TimeBuckets(int buckets, long bucketNanos, int counters, long nowNanos) {
        this.buckets = buckets;
        this.bucketNanos = Math.max(1, bucketNanos);
        this.counters = counters;
        this.origin = nowNanos;
        this.slots = new AtomicReferenceArray<>(buckets);
        long epoch = epoch(nowNanos);
        for (int i = 0; i < buckets; i++) {
            slots.set(i, new Bucket(Long.MIN_VALUE, counters));
        }
        slots.set(slot(epoch), new Bucket(epoch, counters));
    }

    public int buckets() {
        return buckets;
    }

    public long bucketNanos() {
        return bucketNanos;
    }

    /** Adds {@code delta} to counter {@code index} in the current slice. */
    public void add(long nowNanos, int index, long delta) {
        current(nowNanos).counts.getAndAdd(index, delta);
    }

    /** Adds to counters 0 to 3 at once (zero deltas are skipped); the counters must number at least four. */
    public void add4(long nowNanos, long d0, long d1, long d2, long d3) {
        AtomicLongArray counts = current(nowNanos).counts;
        if (d0 != 0) {
            counts.getAndAdd(0, d0);
        }
        if (d1 != 0) {
            counts.getAndAdd(1, d1);
        }
        if (d2 != 0) {
            counts.getAndAdd(2, d2);
        }
        if (d3 != 0) {
            counts.getAndAdd(3, d3);
        }
    }

    /** The sum of counter {@code index} over the window ending now. */
    public long sum(long nowNanos, int index) {
        long epoch = epoch(nowNanos);
        long oldest = epoch - buckets + 1;
        long total = 0;
        for (int i = 0; i < buckets; i++) {
            Bucket b = slots.get(i);
            if (b.epoch >= oldest && b.epoch <= epoch) {
                total += b.counts.get(index);
            }
        }
        return total;
    }

    private Bucket current(long nowNanos) {
        long epoch = epoch(nowNanos);
        int slot = slot(epoch);
        while (true) {
            Bucket b = slots.get(slot);
            // A bucket newer than our reading comes from a racing thread's later clock: count there.
            if (b.epoch >= epoch) {
                return b;
            }
            Bucket fresh = new Bucket(epoch, counters);
            if (slots.compareAndSet(slot, b, fresh)) {
                return fresh;
            }
        }
    }

    private long epoch(long nowNanos) {
        return Math.floorDiv(nowNanos - origin, bucketNanos);
    }

    private int slot(long epoch) {
        return (int) Math.floorMod(epoch, (long) buckets);
    }

    private static final class Bucket {
        final long epoch;
        final AtomicLongArray counts;

        Bucket(long epoch, int counters) {
            this.epoch = epoch;
            this.counts = new AtomicLongArray(counters);
        }
    }
}
