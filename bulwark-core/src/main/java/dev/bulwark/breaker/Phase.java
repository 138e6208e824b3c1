package dev.bulwark.breaker;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * One stay in a state, immutable but for its half-open probe slots. The breaker swaps phases by
 * CAS; a transition allocates one phase, a call allocates nothing. Each phase has a generation
 * number carried by every permit granted in it, so an outcome reported after the breaker moved on
 * is recognised as stale and cannot count against the new phase.
 */
final class Phase {
    private static final long FREE = 0;
    private static final long CLAIMING = -1;

    final State state;
    final long generation;
    final long enteredAtNanos;
    /** OPEN: when the next probe may go. */
    final long openUntilNanos;
    /** Consecutive trips without closing, for the open-duration backoff; 0 once closed. */
    final int trips;
    /** Why the breaker entered this phase, for rejections and listeners. */
    final String reason;

    // HALF_OPEN only: slot i holds the sequence number of the probe it admitted (FREE, or CLAIMING
    // while a grant is being written), and probeGrantedAt[i] when that probe went out.
    private final AtomicLongArray probeSlots;
    private final AtomicLongArray probeGrantedAt;
    private final AtomicLong probeSequence;
    final AtomicInteger probeSuccesses;

    Phase(State state, long generation, long enteredAtNanos, long openUntilNanos, int trips, String reason, int probes) {
        this.state = state;
        this.generation = generation;
        this.enteredAtNanos = enteredAtNanos;
        this.openUntilNanos = openUntilNanos;
        this.trips = trips;
        this.reason = reason;
        if (state == State.HALF_OPEN) {
            probeSlots = new AtomicLongArray(probes);
            probeGrantedAt = new AtomicLongArray(probes);
            probeSequence = new AtomicLong();
            probeSuccesses = new AtomicInteger();
        } else {
            probeSlots = null;
            probeGrantedAt = null;
            probeSequence = null;
            probeSuccesses = null;
        }
    }

    /**
     * Claims a probe slot: a free one, or one whose probe has been silent for {@code probeTimeoutNanos}.
     *
     * @return the probe's sequence number (positive), {@code 0} if every slot is busy
     */
    long claimProbe(int maxProbes, long nowNanos, long probeTimeoutNanos, CircuitBreaker owner) {
        int slots = Math.min(maxProbes, probeSlots.length());
        for (int i = 0; i < slots; i++) {
            long held = probeSlots.get(i);
            boolean free = held == FREE;
            boolean silent = held > 0 && nowNanos - probeGrantedAt.get(i) >= probeTimeoutNanos;
            if ((free || silent) && probeSlots.compareAndSet(i, held, CLAIMING)) {
                probeGrantedAt.set(i, nowNanos);
                long sequence = probeSequence.incrementAndGet();
                probeSlots.set(i, sequence);
                if (silent) {
                    owner.probeReleased();
                }
                return sequence;
            }
        }
        return 0;
    }

    /** Frees the slot of probe {@code sequence}; false if it was already released as silent. */
    boolean releaseProbe(long sequence) {
        for (int i = 0; i < probeSlots.length(); i++) {
            if (probeSlots.get(i) == sequence) {
                return probeSlots.compareAndSet(i, sequence, FREE);
            }
        }
        return false;
    }

    /** Probes currently admitted and not yet reported. */
    int probesInFlight() {
        int n = 0;
        if (probeSlots != null) {
            for (int i = 0; i < probeSlots.length(); i++) {
                if (probeSlots.get(i) != FREE) {
                    n++;
                }
            }
        }
        return n;
    }
}
