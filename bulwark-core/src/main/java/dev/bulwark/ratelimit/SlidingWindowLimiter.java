package dev.bulwark.ratelimit;

import dev.bulwark.InvalidConfigException;
import dev.bulwark.internal.Check;
import dev.bulwark.time.Scheduler;
import dev.bulwark.time.Ticker;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReference;

/**
 * At most {@code limit} calls in any window of length {@code window}.
 *
 * <p>Two modes. <b>Exact</b> (the default up to {@value #EXACT_MAX} calls per window) remembers
 * the time of each of the last {@code limit} grants and admits a call only if the grant
 * {@code limit} places back is older than the window: never more than {@code limit} in any window.
 * <b>Approximate</b> (the default above that) counts calls in fixed windows and estimates the
 * sliding count as {@code previous × (1 − elapsed fraction) + current}, in constant memory; it can
 * admit slightly more or fewer than the limit at a window boundary. Both are lock-free.
 */
public final class SlidingWindowLimiter implements RateLimiter {
    /** The largest limit kept exactly by default. */
    public static final int EXACT_MAX = 10_000;
    private static final int APPROXIMATE_MAX = Integer.MAX_VALUE;

    private final String name;
    private final Ticker ticker;
    private final Scheduler scheduler;
    private final long windowNanos;
    private volatile Window state;

    private SlidingWindowLimiter(Builder b) {
        this.name = b.name;
        this.scheduler = b.scheduler;
        this.ticker = b.scheduler.ticker();
        this.windowNanos = Check.nanos(b.window);
        boolean exact = b.exact != null ? b.exact : b.limit <= EXACT_MAX;
        this.state = exact ? new ExactLog(b.limit, windowNanos) : new Counter(b.limit, windowNanos, ticker.read());
    }

    public static Builder builder(String name) {
        return new Builder(Check.name("name", name));
    }

    @Override
    public String name() {
        return name;
    }

    public int limit() {
        return state.limit();
    }

    public boolean isExact() {
        return state instanceof ExactLog;
    }

    @Override
    public boolean tryAcquire(int permits) {
        Window w = state;
        if (permits < 1 || permits > w.limit()) {
            throw new InvalidConfigException("permits", permits, "an integer in [1, limit=" + w.limit() + "]");
        }
        while (true) {
            int outcome = w.tryAcquire(ticker, permits);
            if (outcome != MOVED) {
                return outcome == GRANTED;
            }
            w = replacementOf(w);
        }
    }

    /** Waits out a limit change that sealed {@code sealed}, and returns the window that replaced it. */
    private Window replacementOf(Window sealed) {
        Window w;
        while ((w = state) == sealed) {
            Thread.onSpinWait(); // the change copies at most `limit` grant times, then publishes
        }
        return w;
    }

    @Override
    public boolean tryAcquire(int permits, Duration maxWait) {
        long budget = Check.nanos(Check.nonNegative("maxWait", maxWait));
        long start = ticker.read();
        while (!tryAcquire(permits)) {
            long wait = Math.max(1, nanosUntilPermit());
            if (ticker.read() - start + wait > budget || !Waits.sleep(scheduler, wait)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public long nanosUntilPermit() {
        return state.nanosUntilPermit(ticker.read());
    }

    /**
     * Changes the limit live; calls already admitted still count. Exact mode remembers as many
     * grant times as the largest limit set so far: a limit within that changes in place; a larger
     * one seals the log (grants in progress finish, new ones wait for the new log), copies every
     * remembered grant into a larger log and publishes it, so no grant is lost and changes racing
     * each other apply one after the other. Approximate mode changes the limit in place and keeps
     * its counts.
     */
    public void setLimit(int limit) {
        Check.between("limit", limit, 1, isExact() ? 10_000_000 : APPROXIMATE_MAX);
        while (true) {
            Window old = state;
            if (old instanceof Counter counter) {
                counter.limit = limit;
                return;
            }
            ExactLog log = (ExactLog) old;
            if (log.holds(limit)) {
                log.limit = limit; // within its memory: nothing to copy, nothing to lose
                if (state == log) {
                    return;
                }
                continue; // a larger change replaced it meanwhile: apply ours to the new log too
            }
            if (!log.seal()) {
                replacementOf(log); // another change sealed it first: apply ours to its result
                continue;
            }
            state = log.copyWithLimit(limit);
            return;
        }
    }

    @Override
    public RateLimitedException rejection() {
        return new RateLimitedException(name, state.limit() + " per " + Duration.ofNanos(windowNanos)
                + (isExact() ? "" : " (approximate)"), nanosUntilPermit());
    }

    @Override
    public String toString() {
        return "SlidingWindowLimiter{" + name + ", " + limit() + " per " + Duration.ofNanos(windowNanos) + '}';
    }

    private static final int GRANTED = 0;
    private static final int REFUSED_NOW = 1;
    /** The window was sealed by a limit change: try again on the one replacing it. */
    private static final int MOVED = 2;

    private interface Window {
        int limit();

        /**
         * Reads the clock itself, after the state it compares with (see {@link ExactLog#mayGrant}).
         * Returns {@link #GRANTED}, {@link #REFUSED_NOW} or {@link #MOVED}.
         */
        int tryAcquire(Ticker ticker, int permits);

        long nanosUntilPermit(long now);
    }

    /**
     * The last {@code limit} grant times in a ring indexed by grant number. Grant {@code n} may
     * happen only if grant {@code n − limit} is older than the window. A grant claims its number by
     * CAS on {@code head}, then writes its time and its number ({@code owner}) into the slot. A
     * claimant that finds the slot not yet written for the grant it must compare with (a writer
     * preempted between the two steps) refuses, so the mode never admits more than the limit.
     */
    private static final class ExactLog implements Window {
        private static final long SEALED_BIT = 1L << 62;
        private static final long REFUSED = Long.MIN_VALUE;

        private volatile int limit;
        /** Grant times remembered, at least the limit: the largest limit set so far, so lowering it forgets nothing. */
        private final int capacity;
        private final long windowNanos;
        /** The next grant number; {@link #SEALED_BIT} set once a limit change has replaced this log. */
        private final AtomicLong head = new AtomicLong();
        private final AtomicLongArray times;
        private final AtomicLongArray owner;

        ExactLog(int limit, long windowNanos) {
            this(limit, limit, windowNanos);
        }

        private ExactLog(int limit, int capacity, long windowNanos) {
            this.limit = limit;
            this.capacity = capacity;
            this.windowNanos = windowNanos;
            this.times = new AtomicLongArray(capacity);
            this.owner = new AtomicLongArray(capacity);
            for (int i = 0; i < capacity; i++) {
                owner.set(i, i - capacity); // "grant i − capacity" happened: never, so the first grants may go at once
                times.set(i, Long.MIN_VALUE);
            }
        }

        @Override
        public int limit() {
            return limit;
        }

        /** Whether {@code newLimit} fits this log's memory, so the limit can change in place. */
        boolean holds(int newLimit) {
            return newLimit <= capacity;
        }

        @Override
        public int tryAcquire(Ticker ticker, int permits) {
            while (true) {
                long n = head.get();
                if ((n & SEALED_BIT) != 0) {
                    return MOVED;
                }
                long now = mayGrant(n, permits, limit, ticker);
                if (now == REFUSED) {
                    if (head.get() != n) {
                        continue; // someone advanced (or sealed): look again
                    }
                    return REFUSED_NOW;
                }
                if (head.compareAndSet(n, n + permits)) {
                    for (long g = n; g < n + permits; g++) {
                        int slot = (int) (g % capacity);
                        times.set(slot, now);
                        owner.set(slot, g);
                    }
                    return GRANTED;
                }
            }
        }

        /** Stops further grants here; false if another change sealed it first. */
        boolean seal() {
            while (true) {
                long n = head.get();
                if ((n & SEALED_BIT) != 0) {
                    return false;
                }
                if (head.compareAndSet(n, n | SEALED_BIT)) {
                    return true;
                }
            }
        }

        // Grants n .. n+permits−1 may go if each grant `max` places before them is written and expired.
        // A slot not yet written for that grant (its writer preempted between claim and write) refuses
        // rather than guesses. Slots hold the latest grant of their residue modulo the capacity, and
        // the capacity is at least the limit, so the grant compared with is never overwritten early.
        // The clock is read after the grant times, so a thread preempted in between compares with a
        // newer clock, never an older one. Returns the time read, or REFUSED.
        private long mayGrant(long n, int permits, int max, Ticker ticker) {
            long latest = Long.MIN_VALUE;
            for (long g = n; g < n + permits; g++) {
                long before = g - max;
                int slot = (int) Math.floorMod(before, (long) capacity);
                if (owner.get(slot) != before) {
                    return REFUSED;
                }
                latest = Math.max(latest, times.get(slot));
            }
            long now = ticker.read();
            return latest != Long.MIN_VALUE && now - latest < windowNanos ? REFUSED : now;
        }

        @Override
        public long nanosUntilPermit(long now) {
            long before = (head.get() & ~SEALED_BIT) - limit;
            long previous = times.get((int) Math.floorMod(before, (long) capacity));
            return previous == Long.MIN_VALUE ? 0 : Math.max(0, previous + windowNanos - now);
        }

        /** A new, larger log holding every grant this sealed log remembers, with limit {@code newLimit}. */
        ExactLog copyWithLimit(int newLimit) {
            ExactLog next = new ExactLog(newLimit, Math.max(newLimit, capacity), windowNanos);
            long n = head.get() & ~SEALED_BIT;
            // Replay the remembered grants, oldest first, so they keep counting under the new limit.
            for (long g = Math.max(0, n - capacity); g < n; g++) {
                int slot = (int) (g % capacity);
                while (owner.get(slot) != g) {
                    Thread.onSpinWait(); // claimed before the seal, its time not written yet
                }
                long k = next.head.getAndIncrement();
                int to = (int) (k % next.capacity);
                next.times.set(to, times.get(slot));
                next.owner.set(to, k);
            }
            return next;
        }
    }

    /**
     * Fixed windows, with the sliding count estimated from the previous window's count. The current
     * window is an object holding its full window number, the previous window's final count and an
     * atomic count of its own; the first call of a new window swaps in a fresh one by CAS, so a
     * window object is allocated once per window, never per call, and no idle gap, however long,
     * can make old counts look current. A call racing with the swap may count in the window just
     * closed after its count was carried over: the estimate can then run a few calls low at a
     * window boundary, as approximate mode allows.
     */
    private static final class Counter implements Window {
        private volatile int limit;
        private final long windowNanos;
        private final long origin;
        private final AtomicReference<FixedWindow> current;

        private record FixedWindow(long index, long previous, AtomicLong count) {
        }

        Counter(int limit, long windowNanos, long now) {
            this(limit, windowNanos, now, new FixedWindow(0, 0, new AtomicLong()));
        }

        private Counter(int limit, long windowNanos, long origin, FixedWindow window) {
            this.limit = limit;
            this.windowNanos = windowNanos;
            this.origin = origin;
            this.current = new AtomicReference<>(window);
        }

        @Override
        public int limit() {
            return limit;
        }

        @Override
        public int tryAcquire(Ticker ticker, int permits) {
            int max = limit;
            long now = ticker.read();
            long index = Math.floorDiv(now - origin, windowNanos);
            double elapsed = (double) Math.floorMod(now - origin, windowNanos) / windowNanos;
            FixedWindow w = windowAt(index);
            while (true) {
                long count = w.count.get();
                if (w.previous * (1.0 - elapsed) + count + permits > max) {
                    return REFUSED_NOW;
                }
                if (w.count.compareAndSet(count, count + permits)) {
                    return GRANTED;
                }
            }
        }

        private FixedWindow windowAt(long index) {
            while (true) {
                FixedWindow w = current.get();
                if (w.index >= index) {
                    return w; // a racing thread with a later clock moved on: count there
                }
                long carried = w.index == index - 1 ? w.count.get() : 0;
                FixedWindow fresh = new FixedWindow(index, carried, new AtomicLong());
                if (current.compareAndSet(w, fresh)) {
                    return fresh;
                }
            }
        }

        @Override
        public long nanosUntilPermit(long now) {
            long index = Math.floorDiv(now - origin, windowNanos);
            long into = Math.floorMod(now - origin, windowNanos);
            FixedWindow w = current.get();
            long previous = w.index == index ? w.previous : w.index == index - 1 ? w.count.get() : 0;
            long count = w.index == index ? w.count.get() : 0;
            double elapsed = (double) into / windowNanos;
            if (previous * (1.0 - elapsed) + count + 1 <= limit) {
                return 0;
            }
            if (count + 1 > limit || previous == 0) {
                return windowNanos - into; // only the next window helps
            }
            // previous × (1 − f) + count + 1 ≤ limit  ⇔  f ≥ 1 − (limit − count − 1) / previous;
            // rounded up so that a caller waiting this long finds the permit there.
            double needed = 1.0 - (limit - count - 1.0) / previous;
            return Math.max(1, (long) Math.ceil(needed * windowNanos) - into);
        }

    }

    /** Builds a {@link SlidingWindowLimiter}. */
    public static final class Builder {
        private final String name;
        private int limit;
        private Duration window;
        private Boolean exact;
        private Scheduler scheduler = Scheduler.system();

        private Builder(String name) {
            this.name = name;
        }

        /** At most {@code calls} calls in any window of length {@code length}. */
        public Builder limit(int calls, Duration length) {
            limit = Check.positive("limit", calls);
            window = Check.positive("window", length);
            return this;
        }

        /** Forces exact mode (memory grows with the limit) or approximate mode (constant memory). */
        public Builder exact(boolean keepExact) {
            exact = keepExact;
            return this;
        }

        /** Time source and where waits happen (default the system's). */
        public Builder scheduler(Scheduler source) {
            scheduler = Check.notNull("scheduler", source);
            return this;
        }

        public SlidingWindowLimiter build() {
            if (window == null) {
                throw new InvalidConfigException("limit", "unset", "limit(calls, window) with calls >= 1 and window > 0");
            }
            boolean isExact = exact != null ? exact : limit <= EXACT_MAX;
            if (isExact && limit > 10_000_000) {
                throw new InvalidConfigException("limit", limit, "at most 10000000 in exact mode (use exact(false))");
            }
            return new SlidingWindowLimiter(this);
        }
    }
}
