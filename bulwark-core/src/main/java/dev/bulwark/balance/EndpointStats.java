package dev.bulwark.balance;

import dev.bulwark.internal.Check;
import dev.bulwark.time.Ticker;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Live statistics of one endpoint: calls in flight, outcomes, and a peak-EWMA latency.
 *
 * <p>The latency estimate follows Finagle's peak EWMA: a sample higher than the estimate replaces
 * it at once (so a slowing endpoint is noticed on its first slow answer), a lower one is blended
 * in with weight {@code 1 − e^(−Δt/τ)}, and the estimate decays toward zero while no answer
 * arrives, so an endpoint avoided for being slow is tried again after a while. Estimate and
 * timestamp share one {@code long} updated by CAS: no lock, no allocation.
 *
 * <p>Whoever makes the calls reports them: {@link #started()} before, {@link #finished} after.
 */
public final class EndpointStats {
    /** Load of an endpoint with calls in flight but no latency measured yet: avoid it unless all are new. */
    static final double UNMEASURED_PENALTY_NANOS = 1e12;
    private static final int STAMP_SHIFT = 20; // timestamps in units of ~1 ms, wrapping after ~52 days

    private final Ticker ticker;
    private final double decayNanos;
    private final long origin;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final LongAdder successes = new LongAdder();
    private final LongAdder failures = new LongAdder();
    // High 32 bits: the estimate in nanoseconds as float bits; low 32 bits: when it was set.
    private final AtomicLong ewma = new AtomicLong();

    /** Statistics whose latency estimate decays over {@code decay} (Finagle's default is 10 s). */
    public EndpointStats(Ticker ticker, Duration decay) {
        this.ticker = Check.notNull("ticker", ticker);
        this.decayNanos = Check.nanos(Check.positive("decay", decay));
        this.origin = ticker.read();
    }

    /** A call to the endpoint begins. */
    public void started() {
        inFlight.incrementAndGet();
    }

    /**
     * A call begun with {@link #started()} ended after {@code durationNanos}; {@code nowNanos} is
     * the ticker's reading at its end (the caller read it anyway to measure the duration).
     */
    public void finished(long durationNanos, boolean success, long nowNanos) {
        inFlight.decrementAndGet();
        (success ? successes : failures).increment();
        observe(Math.max(0, durationNanos), nowNanos);
    }

    /** A call begun with {@link #started()} was given up before it reached the endpoint; nothing is learned. */
    public void abandoned() {
        inFlight.decrementAndGet();
    }

    /** Folds one latency sample into the peak EWMA. */
    public void observe(long latencyNanos, long nowNanos) {
        int now = stamp(nowNanos);
        while (true) {
            long packed = ewma.get();
            float cost = Float.intBitsToFloat((int) (packed >>> 32));
            double next;
            if (latencyNanos > cost) {
                next = latencyNanos; // a peak replaces the estimate at once
            } else {
                double w = weight(now - (int) packed);
                next = cost * w + latencyNanos * (1 - w);
            }
            long updated = ((long) Float.floatToRawIntBits((float) next) << 32) | (now & 0xFFFF_FFFFL);
            if (ewma.compareAndSet(packed, updated)) {
                return;
            }
        }
    }

    /** The latency estimate at {@code nowNanos}, decayed for the time since the last answer. */
    public double latencyNanos(long nowNanos) {
        long packed = ewma.get();
        float cost = Float.intBitsToFloat((int) (packed >>> 32));
        return cost == 0 ? 0 : cost * weight(stamp(nowNanos) - (int) packed);
    }

    /**
     * The peak-EWMA load: latency estimate × (calls in flight + 1). An endpoint with calls in
     * flight and no latency measured yet gets a large penalty, so new endpoints are tried one call
     * at a time rather than flooded.
     */
    public double load(long nowNanos) {
        double latency = latencyNanos(nowNanos);
        int pending = inFlight.get();
        if (latency == 0) {
            return pending == 0 ? 0 : UNMEASURED_PENALTY_NANOS + pending;
        }
        return latency * (pending + 1);
    }

    public int inFlight() {
        return inFlight.get();
    }

    public long successes() {
        return successes.sum();
    }

    public long failures() {
        return failures.sum();
    }

    /** The ticker these statistics read; balancers use it to read loads at the same clock. */
    public Ticker ticker() {
        return ticker;
    }

    private int stamp(long nowNanos) {
        return (int) ((nowNanos - origin) >> STAMP_SHIFT);
    }

    // e^(−Δt/τ) for a difference of stamps; wrapping differences stay correct up to ~52 days.
    private double weight(int stampDelta) {
        double elapsed = (double) Math.max(0, stampDelta) * (1L << STAMP_SHIFT);
        return Math.exp(-elapsed / decayNanos);
    }

    @Override
    public String toString() {
        long now = ticker.read();
        return String.format(java.util.Locale.ROOT, "in flight %d, ok %d, failed %d, latency %.1f ms",
                inFlight(), successes(), failures(), latencyNanos(now) / 1e6);
    }
}
