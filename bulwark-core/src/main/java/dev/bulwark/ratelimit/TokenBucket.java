package dev.bulwark.ratelimit;

import dev.bulwark.InvalidConfigException;
import dev.bulwark.internal.Check;
import dev.bulwark.time.Scheduler;
import dev.bulwark.time.Ticker;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A token bucket: permits refill at a steady rate up to a burst capacity; the bucket starts full.
 *
 * <p>Implemented as the generic cell rate algorithm: the whole state is one {@code long}, the
 * theoretical arrival time of the next permit, advanced by one CAS per acquisition. No refill
 * thread, no lock, no allocation, and no drift: permits granted over any interval never exceed
 * {@code burst + rate × interval}. The rate is kept as whole nanoseconds per permit, rounded up:
 * exact for rates dividing 10⁹, at most 0.1 % under the rate asked up to a million permits per second.
 *
 * <pre>{@code
 * TokenBucket limiter = TokenBucket.builder("search").permitsPerSecond(100).burst(20).build();
 * if (!limiter.tryAcquire()) throw limiter.rejection();
 * }</pre>
 *
 * The rate and burst change live with {@link #setRate(double, int)}, keeping the permits on hand
 * and the times already promised to reservations.
 */
public final class TokenBucket implements RateLimiter {
    static final double MAX_RATE = 1e9;
    /** The largest burst / rate, in nanoseconds: far from overflow when added to ticker readings. */
    private static final long MAX_CAPACITY_NANOS = Long.MAX_VALUE >> 2;
    /** The slowest rate allowed: one permit per {@link #MAX_CAPACITY_NANOS}. */
    private static final double MIN_RATE = 1e9 / MAX_CAPACITY_NANOS;
    private static final long DAY_NANOS = 86_400_000_000_000L;
    /** A cell's state once a rate change has replaced the cell: readers move on to the new one. */
    private static final long SEALED = Long.MIN_VALUE;

    private final String name;
    private final Ticker ticker;
    private final Scheduler scheduler;
    private volatile Cell cell;

    /**
     * One rate and the state counted at it. A rate change seals the cell (its state becomes
     * {@link #SEALED} for good) and publishes a new one, so an acquisition that read the old
     * rate can never succeed on the new state: its CAS on the sealed cell fails and it retries.
     */
    private static final class Cell {
        final double permitsPerSecond;
        final long intervalNanos;
        final int burst;
        final long capacityNanos;
        final String description;
        /** When the bucket will next be full; at or before now means it is full. */
        final AtomicLong fullAt;

        Cell(double permitsPerSecond, int burst, long fullAt) {
            // Whole nanoseconds per permit, rounded up: the bucket may grant a hair under the rate
            // asked (at most one part in 1e9/rate), never over it.
            double exact = Math.ceil(1e9 / permitsPerSecond);
            if (exact > MAX_CAPACITY_NANOS) {
                throw new InvalidConfigException("permitsPerSecond", permitsPerSecond, String.format(Locale.ROOT,
                        "a rate in [%.3g, 1e9] permits per second (one permit per %d days at the slowest)",
                        MIN_RATE, MAX_CAPACITY_NANOS / DAY_NANOS));
            }
            long interval = Math.max(1, (long) exact);
            if (interval > MAX_CAPACITY_NANOS / burst) {
                throw new InvalidConfigException("burst", burst, String.format(Locale.ROOT,
                        "at most %d at permitsPerSecond = %s (burst / permitsPerSecond must stay under %d days)",
                        MAX_CAPACITY_NANOS / interval, permitsPerSecond, MAX_CAPACITY_NANOS / DAY_NANOS));
            }
            this.permitsPerSecond = permitsPerSecond;
            this.intervalNanos = interval;
            this.burst = burst;
            this.capacityNanos = interval * burst;
            this.description = String.format(Locale.ROOT, "%.3f/s, burst %d", permitsPerSecond, burst);
            this.fullAt = new AtomicLong(fullAt);
        }

        long cost(int permits) {
            if (permits < 1 || permits > burst) {
                throw new InvalidConfigException("permits", permits, "an integer in [1, burst=" + burst + "]");
            }
            return intervalNanos * permits;
        }
    }

    private TokenBucket(Builder b) {
        this.name = b.name;
        this.scheduler = b.scheduler;
        this.ticker = b.scheduler.ticker();
        this.cell = new Cell(b.permitsPerSecond, b.burst, ticker.read());
    }

    public static Builder builder(String name) {
        return new Builder(Check.name("name", name));
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean tryAcquire(int permits) {
        Cell c = cellFor(permits);
        long cost = c.cost(permits);
        while (true) {
            // State first, then the clock: a thread preempted between the two reads then sees a
            // clock newer than the state, never older, so it cannot refuse for a stale "now".
            long current = c.fullAt.get();
            if (current == SEALED) {
                c = current();
                cost = c.cost(permits);
                continue;
            }
            long now = ticker.read();
            long next = Math.max(current, now) + cost;
            if (next - now > c.capacityNanos) {
                return false;
            }
            if (c.fullAt.compareAndSet(current, next)) {
                return true;
            }
        }
    }

    @Override
    public boolean tryAcquire(int permits, Duration maxWait) {
        long maxWaitNanos = Check.nanos(Check.nonNegative("maxWait", maxWait));
        Cell c = cellFor(permits);
        long cost = c.cost(permits);
        long reservedUntil;
        long wait;
        while (true) {
            long current = c.fullAt.get(); // state before clock, as in tryAcquire
            if (current == SEALED) {
                c = current();
                cost = c.cost(permits);
                continue;
            }
            long now = ticker.read();
            long next = Math.max(current, now) + cost;
            wait = Math.max(0, next - now - c.capacityNanos);
            if (wait > maxWaitNanos) {
                return false;
            }
            if (c.fullAt.compareAndSet(current, next)) {
                reservedUntil = next;
                break;
            }
        }
        if (!Waits.sleep(scheduler, wait)) {
            giveBack(c, reservedUntil, cost);
            return false;
        }
        return true;
    }

    /**
     * Hands back the permits of a reservation that will not be used, but only if nothing came
     * after it: a later reservation was timed on the bucket as this one left it, and giving back
     * permits it relies on would let a newer call act beside it, over the burst; a rate change
     * sealed the cell the reservation was counted in. Either way the permits are forfeited, which
     * errs on the safe side.
     */
    private static void giveBack(Cell reservedIn, long reservedUntil, long cost) {
        reservedIn.fullAt.compareAndSet(reservedUntil, reservedUntil - cost);
    }

    /**
     * Reserves {@code permits} permits, to be used after the returned wait, if that wait is at most
     * {@code maxWaitNanos}; the caller is trusted to wait. Returns the wait in nanoseconds (0 if the
     * permits are available now), or {@code -1} if nothing was reserved.
     */
    public long reserve(int permits, long maxWaitNanos) {
        Cell c = cellFor(permits);
        long cost = c.cost(permits);
        while (true) {
            long current = c.fullAt.get(); // state before clock, as in tryAcquire
            if (current == SEALED) {
                c = current();
                cost = c.cost(permits);
                continue;
            }
            long now = ticker.read();
            long next = Math.max(current, now) + cost;
            long wait = Math.max(0, next - now - c.capacityNanos);
            if (wait > maxWaitNanos) {
                return -1;
            }
            if (c.fullAt.compareAndSet(current, next)) {
                return wait;
            }
        }
    }

    @Override
    public long nanosUntilPermit() {
        Cell c = current();
        long full = fullAt(c);
        long now = ticker.read();
        return Math.max(0, Math.max(full, now) + c.intervalNanos - now - c.capacityNanos);
    }

    /** Whole permits available now. */
    public long availablePermits() {
        Cell c = current();
        long full = fullAt(c);
        long now = ticker.read();
        long owed = Math.max(full, now) - now;
        return Math.max(0, (c.capacityNanos - owed) / c.intervalNanos);
    }

    /**
     * Changes the rate and burst of this live bucket. The permits on hand are kept (capped at the
     * new burst), so a change neither grants a fresh burst nor takes away permits already earned.
     * Reservations already made keep the times they were given, and the bucket stays empty until
     * the last of them acts: the new rate starts counting from there, so a faster rate can never
     * make a new permit act beside a reserved one, nor a slower one forget what is owed.
     */
    public void setRate(double permitsPerSecond, int burst) {
        Check.inRange("permitsPerSecond", permitsPerSecond, 0, MAX_RATE);
        Check.between("burst", burst, 1, 1_000_000_000);
        new Cell(permitsPerSecond, burst, 0); // validates the combination before anything changes
        while (true) {
            Cell old = current();
            long current = old.fullAt.get();
            if (current == SEALED || !old.fullAt.compareAndSet(current, SEALED)) {
                continue; // another change or an acquisition came first: look again
            }
            long now = ticker.read();
            long owed = Math.max(current, now) - now;
            long nextFullAt;
            Cell next = new Cell(permitsPerSecond, burst, 0);
            if (owed > old.capacityNanos) {
                // In debt: the last reservation acts at current − capacity and leaves the bucket empty.
                nextFullAt = current - old.capacityNanos + next.capacityNanos;
            } else {
                double onHand = (old.capacityNanos - owed) / (double) old.intervalNanos;
                double kept = Math.min(onHand, burst);
                nextFullAt = now + (long) Math.ceil((burst - kept) * next.intervalNanos);
            }
            next.fullAt.set(nextFullAt);
            cell = next;
            return;
        }
    }

    /** The published cell; the live one if {@code permits} does not fit it (a rate change may be under way). */
    private Cell cellFor(int permits) {
        Cell c = cell;
        return permits >= 1 && permits <= c.burst ? c : current();
    }

    /** The live cell: the published one, or, while a rate change is being published, the one it will be. */
    private Cell current() {
        while (true) {
            Cell c = cell;
            if (c.fullAt.get() != SEALED) {
                return c;
            }
            Thread.onSpinWait(); // a rate change sealed it a moment ago and publishes the next one now
        }
    }

    private static long fullAt(Cell c) {
        long full = c.fullAt.get();
        return full == SEALED ? Long.MAX_VALUE >> 1 : full;
    }

    /** Where waits for reserved permits happen, and the ticker the bucket reads. */
    public Scheduler scheduler() {
        return scheduler;
    }

    public double permitsPerSecond() {
        return cell.permitsPerSecond;
    }

    public int burst() {
        return cell.burst;
    }

    @Override
    public RateLimitedException rejection() {
        return new RateLimitedException(name, cell.description, nanosUntilPermit());
    }

    @Override
    public String toString() {
        return "TokenBucket{" + name + ", " + cell.description + ", available=" + availablePermits() + '}';
    }


    /** Builds a {@link TokenBucket}. */
    public static final class Builder {
        private final String name;
        private double permitsPerSecond = Double.NaN;
        private int burst = 1;
        private Scheduler scheduler = Scheduler.system();

        private Builder(String name) {
            this.name = name;
        }

        /** The steady refill rate. */
        public Builder permitsPerSecond(double rate) {
            permitsPerSecond = Check.inRange("permitsPerSecond", rate, 0, MAX_RATE);
            return this;
        }

        /** The steady refill rate, as {@code permits} per {@code period}. */
        public Builder rate(int permits, Duration period) {
            Check.positive("rate.permits", permits);
            Check.positive("rate.period", period);
            return permitsPerSecond(permits * 1e9 / Check.nanos(period));
        }

        /** Permits that may be taken at once after a quiet period (default 1). */
        public Builder burst(int permits) {
            burst = Check.between("burst", permits, 1, 1_000_000_000);
            return this;
        }

        /** Time source and where waits happen (default the system's). */
        public Builder scheduler(Scheduler source) {
            scheduler = Check.notNull("scheduler", source);
            return this;
        }

        public TokenBucket build() {
            if (Double.isNaN(permitsPerSecond)) {
                throw new InvalidConfigException("permitsPerSecond", "unset", "a rate in (0, 1e9] permits per second");
            }
            return new TokenBucket(this);
        }
    }
}
