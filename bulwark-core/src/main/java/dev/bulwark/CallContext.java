package dev.bulwark;

import dev.bulwark.internal.Check;
import dev.bulwark.time.Ticker;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What one call carries through its policies: an optional deadline and typed attributes (a
 * tenant, a request id, a hash key). Retry will not start an attempt past the deadline; a
 * timeout never waits beyond it. Immutable; {@link #none()} is shared and allocation-free.
 *
 * <p>A deadline is kept with the ticker it was read on, so a policy timing itself on another
 * ticker (a virtual one in a test, say) still reads the time left correctly:
 * {@link #deadlineNanos(Ticker)} converts it.
 *
 * <pre>{@code
 * CallContext.Key<String> tenant = CallContext.key("tenant");
 * CallContext ctx = CallContext.withDeadline(Duration.ofMillis(800), Ticker.system()).with(tenant, "acme");
 * }</pre>
 */
public final class CallContext {
    private static final long NO_DEADLINE = Long.MAX_VALUE;
    private static final CallContext NONE = new CallContext(NO_DEADLINE, null, Map.of());

    private final long deadlineNanos;
    /** The ticker {@link #deadlineNanos} is a reading of; {@code null} when there is no deadline. */
    private final Ticker deadlineTicker;
    private final Map<Key<?>, Object> attributes;

    private CallContext(long deadlineNanos, Ticker deadlineTicker, Map<Key<?>, Object> attributes) {
        this.deadlineNanos = deadlineNanos;
        this.deadlineTicker = deadlineTicker;
        this.attributes = attributes;
    }

    /** No deadline, no attributes. */
    public static CallContext none() {
        return NONE;
    }

    /** A context whose deadline is {@code timeout} from now on {@code ticker}. */
    public static CallContext withDeadline(Duration timeout, Ticker ticker) {
        Check.nonNegative("timeout", timeout);
        Check.notNull("ticker", ticker);
        return NONE.withDeadlineAt(saturatedAdd(ticker.read(), Check.nanos(timeout)), ticker);
    }

    /** A typed attribute key; keys compare by identity, so keep them in constants. */
    public static <T> Key<T> key(String name) {
        return new Key<>(Check.name("name", name));
    }

    /** This context with its deadline at {@code ticker} reading {@code deadlineNanos}. */
    public CallContext withDeadlineAt(long deadlineNanos, Ticker ticker) {
        return new CallContext(deadlineNanos, Check.notNull("ticker", ticker), attributes);
    }

    /** This context with its deadline {@code timeout} from now on {@code ticker}, or the current one if sooner. */
    public CallContext withDeadlineWithin(Duration timeout, Ticker ticker) {
        Check.nonNegative("timeout", timeout);
        Check.notNull("ticker", ticker);
        long candidate = saturatedAdd(ticker.read(), Check.nanos(timeout));
        if (hasDeadline() && deadlineNanos(ticker) - candidate <= 0) {
            return this;
        }
        return new CallContext(candidate, ticker, attributes);
    }

    /** This context with {@code key} set to {@code value}. */
    public <T> CallContext with(Key<T> key, T value) {
        Map<Key<?>, Object> next = new HashMap<>(attributes);
        next.put(Check.notNull("key", key), Check.notNull("value", value));
        return new CallContext(deadlineNanos, deadlineTicker, Map.copyOf(next));
    }

    /** The value of {@code key}, or {@code null}. */
    @SuppressWarnings("unchecked")
    public <T> T get(Key<T> key) {
        return (T) attributes.get(key);
    }

    public boolean hasDeadline() {
        return deadlineTicker != null;
    }

    /**
     * The deadline as a reading of {@code ticker} ({@link Long#MAX_VALUE} when there is none):
     * the reading itself if the deadline was set on that ticker, else now on {@code ticker} plus
     * the time left on the deadline's own.
     */
    public long deadlineNanos(Ticker ticker) {
        if (deadlineTicker == null) {
            return NO_DEADLINE;
        }
        if (deadlineTicker == ticker) {
            return deadlineNanos;
        }
        return saturatedAdd(ticker.read(), deadlineNanos - deadlineTicker.read());
    }

    /** Nanoseconds left before the deadline, now ({@link Long#MAX_VALUE} when there is none; negative once past). */
    public long remainingNanos() {
        return deadlineTicker == null ? Long.MAX_VALUE : deadlineNanos - deadlineTicker.read();
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? (b > 0 ? Long.MAX_VALUE : Long.MIN_VALUE) : sum;
    }

    /** A named, typed attribute key. */
    public static final class Key<T> {
        private final String name;

        private Key(String name) {
            this.name = name;
        }

        public String name() {
            return name;
        }

        @Override
        public String toString() {
            return "Key(" + name + ")";
        }

        @Override
        public boolean equals(Object other) {
            return this == other;
        }

        @Override
        public int hashCode() {
            return Objects.hashCode(name) * 31 + System.identityHashCode(this);
        }
    }
}
