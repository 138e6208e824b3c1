package dev.bulwark.testing;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Counts calls by the millisecond of a dependency's timeline in which they started, for the first
 * {@link #HORIZON} (later calls are not kept), so {@link SimulatedDependency#callsDuring} can
 * answer for any window. Memory grows with use: one 8 KB chunk per second of timeline that saw a
 * call. Lock-free; safe for any number of threads.
 */
final class CallHistogram {
    static final Duration HORIZON = Duration.ofMinutes(10);
    static final long SLOT_NANOS = 1_000_000L;

    private static final int SLOTS_PER_CHUNK = 1000;
    private static final long SLOTS = HORIZON.toNanos() / SLOT_NANOS;

    private final AtomicReferenceArray<AtomicLongArray> chunks =
            new AtomicReferenceArray<>((int) (SLOTS / SLOTS_PER_CHUNK));

    /** Counts a call that started {@code offsetNanos} after the timeline's origin. */
    void record(long offsetNanos) {
        long slot = Math.max(0, offsetNanos) / SLOT_NANOS;
        if (slot < SLOTS) {
            chunk((int) (slot / SLOTS_PER_CHUNK)).incrementAndGet((int) (slot % SLOTS_PER_CHUNK));
        }
    }

    /**
     * Calls that started in {@code [fromNanos, toNanos)}, both rounded down to the millisecond;
     * requires {@code 0 <= fromNanos <= toNanos <= HORIZON}.
     */
    long count(long fromNanos, long toNanos) {
        long total = 0;
        for (long slot = fromNanos / SLOT_NANOS, end = toNanos / SLOT_NANOS; slot < end; ) {
            int chunkIndex = (int) (slot / SLOTS_PER_CHUNK);
            long chunkEnd = Math.min(end, (chunkIndex + 1L) * SLOTS_PER_CHUNK);
            AtomicLongArray chunk = chunks.get(chunkIndex);
            if (chunk != null) {
                for (long s = slot; s < chunkEnd; s++) {
                    total += chunk.get((int) (s % SLOTS_PER_CHUNK));
                }
            }
            slot = chunkEnd;
        }
        return total;
    }

    private AtomicLongArray chunk(int index) {
        AtomicLongArray chunk = chunks.get(index);
        if (chunk == null) {
            chunks.compareAndSet(index, null, new AtomicLongArray(SLOTS_PER_CHUNK));
            chunk = chunks.get(index);
        }
        return chunk;
    }
}
