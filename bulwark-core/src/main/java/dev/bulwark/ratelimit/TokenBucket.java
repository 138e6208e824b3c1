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
 * The rate and burst change live with {@link #setRate(double, int)}, keeping the permits on hand.
 */
public final class TokenBucket implements RateLimiter {
    private static final double MAX_RATE = 1e9;

    private final String name;
    private final Ticker ticker;
    private final Scheduler scheduler;
    /** When the bucket will next be full; at or before now means it is full. */
    private final AtomicLong fullAt;
    private volatile Rate rate;

    private record Rate(double permitsPerSecond, long intervalNanos, int burst, long capacityNanos, String description) {
        static Rate of(double permitsPerSecond, int burst) {
            // Whole nanoseconds per permit, rounded up: the bucket may grant a hair under the rate
            // asked (at most one part in 1e9/rate), never over it.
            long interval = Math.max(1, (long) Math.ceil(1e9 / permitsPerSecond));
            // Keep the capacity far from overflow: the arithmetic adds it to ticker readings.
            if (interval > (Long.MAX_VALUE >> 2) / burst) {
                throw new InvalidConfigException("burst", burst, "at most " + ((Long.MAX_VALUE >> 2) / interval)
                        + " at " + permitsPerSecond + " permits per second");
            }
            return new Rate(permitsPerSecond, interval, burst, interval * burst,
                    String.format(Locale.ROOT, "%.3f/s, burst %d", permitsPerSecond, burst));
        }
    }

    private TokenBucket(Builder b) {
        this.name = b.name;
        this.scheduler = b.scheduler;
        this.ticker = b.scheduler.ticker();
        this.rate = Rate.of(b.permitsPerSecond, b.burst);
        this.fullAt = new AtomicLong(ticker.read());
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
        Rate r = rate;
        long cost = cost(r, permits);
        while (true) {
            // State first, then the clock: a thread preempted between the two reads then sees a
            // clock newer than the state, never older, so it cannot refuse for a stale "now".
            long current = fullAt.get();
            long now = ticker.read();
            long next = Math.max(current, now) + cost;
            if (next - now > r.capacityNanos) {
                return false;
            }
            if (fullAt.compareAndSet(current, next)) {
                return true;
            }
        }
    }

    @Override
    public boolean tryAcquire(int permits, Duration maxWait) {
        long wait = reserve(permits, Check.nanos(Check.nonNegative("maxWait", maxWait)));
        if (wait < 0) {
            return false;
        }
        if (!Waits.sleep(scheduler, wait)) {
            // Interrupted before using them: hand the permits back rather than lose them.
            fullAt.addAndGet(-cost(rate, permits));
            return false;
        }
        return true;
    }

    /**
     * Reserves {@code permits} permits, to be used after the returned wait, if that wait is at most
     * {@code maxWaitNanos}; the caller is trusted to wait. Returns the wait in nanoseconds (0 if the
     * permits are available now), or {@code -1} if nothing was reserved.
     */
    public long reserve(int permits, long maxWaitNanos) {
        Rate r = rate;
        long cost = cost(r, permits);
        while (true) {
            long current = fullAt.get(); // state before clock, as in tryAcquire
            long now = ticker.read();
            long next = Math.max(current, now) + cost;
            long wait = Math.max(0, next - now - r.capacityNanos);
            if (wait > maxWaitNanos) {
                return -1;
            }
            if (fullAt.compareAndSet(current, next)) {
                return wait;
            }
        }
    }

    @Override
    public long nanosUntilPermit() {
        Rate r = rate;
        long now = ticker.read();
        return Math.max(0, Math.max(fullAt.get(), now) + r.intervalNanos - now - r.capacityNanos);
    }

    /** Whole permits available now. */
    public long availablePermits() {
        Rate r = rate;
        long now = ticker.read();
        long owed = Math.max(fullAt.get(), now) - now;
        return Math.max(0, (r.capacityNanos - owed) / r.intervalNanos);
    }

    /**
     * Changes the rate and burst of this live bucket. The permits on hand are kept (capped at the
     * new burst), so a change neither grants a fresh burst nor takes away permits already earned.
     */
    public void setRate(double permitsPerSecond, int burst) {
        Rate next = Rate.of(Check.inRange("permitsPerSecond", permitsPerSecond, 0, MAX_RATE),
                Check.between("burst", burst, 1, 1_000_000_000));
        while (true) {
            Rate old = rate;
            long current = fullAt.get();
            long now = ticker.read();
            double onHand = (old.capacityNanos - (Math.max(current, now) - now)) / (double) old.intervalNanos;
            double kept = Math.max(0, Math.min(onHand, burst));
            long nextFullAt = now + (long) ((burst - kept) * next.intervalNanos);
            if (fullAt.compareAndSet(current, nextFullAt)) {
                rate = next;
                return;
            }
        }
    }

    public double permitsPerSecond() {
        return rate.permitsPerSecond;
    }

    public int burst() {
        return rate.burst;
    }

    @Override
    public RateLimitedException rejection() {
        return new RateLimitedException(name, rate.description, nanosUntilPermit());
    }

    @Override
    public String toString() {
        return "TokenBucket{" + name + ", " + rate.description + ", available=" + availablePermits() + '}';
    }


    private static long cost(Rate r, int permits) {
        if (permits < 1 || permits > r.burst) {
            throw new InvalidConfigException("permits", permits, "an integer in [1, burst=" + r.burst + "]");
        }
        return r.intervalNanos * permits;
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
