package dev.bulwark.time;

/**
 * A monotonic source of nanoseconds: the only clock Bulwark's policies read.
 *
 * <p>Every time-based rule (breaker cooldowns, windows, token refill, retry budgets, staleness)
 * reads time through a {@code Ticker}, so tests can drive them in virtual time with
 * {@code dev.bulwark.testing.FakeTicker} instead of sleeping. Values only have meaning as
 * differences, like {@link System#nanoTime()}.
 */
@FunctionalInterface
public interface Ticker {

    /** Returns the current reading in nanoseconds; only differences between readings are meaningful. */
    long read();

    /** The system's monotonic clock, {@link System#nanoTime()}. */
    static Ticker system() {
        return SystemTicker.INSTANCE;
    }
}
