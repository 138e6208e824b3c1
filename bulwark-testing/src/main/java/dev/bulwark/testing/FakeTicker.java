package dev.bulwark.testing;

import dev.bulwark.InvalidConfigException;
import dev.bulwark.internal.Check;
import dev.bulwark.time.Ticker;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link Ticker} that only moves when told to: the clock for testing time-based code without
 * sleeping.
 *
 * <p>Hand it to anything that reads a {@code Ticker} (breaker cooldowns, rate limiters, windows),
 * then {@link #advance(Duration) advance} it to make time pass instantly and exactly:
 *
 * <pre>{@code
 * FakeTicker ticker = new FakeTicker();
 * CircuitBreaker breaker = CircuitBreaker.builder("payments")
 *     .consecutiveFailures(5).openFor(Duration.ofSeconds(30)).ticker(ticker).build();
 * // ... trip the breaker ...
 * ticker.advance(Duration.ofSeconds(30)); // the cooldown has passed, without waiting
 * }</pre>
 *
 * <p>A new ticker starts at {@value #START} rather than 0, because readings are only meaningful as
 * differences (like {@link System#nanoTime()}): code that wrongly treats a reading of 0 as "never"
 * or "the beginning" fails in tests instead of in production. Time never goes backwards: negative
 * advances and backward {@link #set(long) sets} are rejected.
 *
 * <p>Thread-safe: any thread may read or move it. To also run scheduled tasks as time passes, use
 * a {@link VirtualScheduler}, which owns a {@code FakeTicker} and advances it for you.
 */
public final class FakeTicker implements Ticker {

    /** The reading of a ticker made with {@link #FakeTicker()}: deliberately far from zero. */
    public static final long START = 1_000_000_000_000L;

    private final AtomicLong nanos;

    /** A ticker reading {@value #START}. */
    public FakeTicker() {
        this.nanos = new AtomicLong(START);
    }

    @Override
    public long read() {
        return nanos.get();
    }

    /**
     * Moves the clock forward by {@code duration} (zero is allowed and changes nothing).
     *
     * @return this ticker, for chaining
     * @throws InvalidConfigException if {@code duration} is null or negative
     */
    public FakeTicker advance(Duration duration) {
        return advance(Check.nanos(Check.nonNegative("duration", duration)));
    }

    /**
     * Moves the clock forward by {@code nanos} nanoseconds (zero is allowed and changes nothing).
     * The reading saturates at {@link Long#MAX_VALUE} rather than wrapping around.
     *
     * @return this ticker, for chaining
     * @throws InvalidConfigException if {@code nanos} is negative: time never goes backwards
     */
    public FakeTicker advance(long nanos) {
        if (nanos < 0) {
            throw new InvalidConfigException("nanos", nanos, "a number of nanoseconds >= 0 (time never goes backwards)");
        }
        this.nanos.getAndUpdate(current -> saturatedAdd(current, nanos));
        return this;
    }

    /**
     * Sets the reading to {@code nanos}, which must not be earlier than the current reading.
     *
     * @throws InvalidConfigException if {@code nanos} is before the current reading
     */
    public void set(long nanos) {
        long current;
        do {
            current = this.nanos.get();
            if (nanos < current) {
                throw new InvalidConfigException("nanos", nanos,
                        "a reading >= the current reading " + current + " (time never goes backwards)");
            }
        } while (!this.nanos.compareAndSet(current, nanos));
    }

    /**
     * Moves the reading to {@code nanos} if that is later, and otherwise leaves it: for a
     * {@link VirtualScheduler} racing other threads that move the same ticker.
     */
    void moveTo(long nanos) {
        this.nanos.accumulateAndGet(nanos, Math::max);
    }

    /** {@code a + b} for {@code b >= 0}, capped at {@link Long#MAX_VALUE}. */
    static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return sum < a ? Long.MAX_VALUE : sum;
    }

    @Override
    public String toString() {
        return "FakeTicker{" + nanos.get() + "ns}";
    }
}
