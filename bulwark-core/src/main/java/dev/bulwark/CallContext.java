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
 * <pre>{@code
 * static final CallContext.Key<String> TENANT = CallContext.key("tenant");
 * CallContext ctx = CallContext.withDeadline(Duration.ofMillis(800), ticker).with(TENANT, "acme");
 * pipeline.call(ctx, () -> client.get(id));
 * }</pre>
 */
public final class CallContext {
    private static final long NO_DEADLINE = Long.MAX_VALUE;
    private static final CallContext NONE = new CallContext(NO_DEADLINE, false, Map.of());

    private final long deadlineNanos;
    private final boolean hasDeadline;
    private final Map<Key<?>, Object> attributes;

    private CallContext(long deadlineNanos, boolean hasDeadline, Map<Key<?>, Object> attributes) {
        this.deadlineNanos = deadlineNanos;
        this.hasDeadline = hasDeadline;
        this.attributes = attributes;
    }

    /** No deadline, no attributes. */
    public static CallContext none() {
        return NONE;
    }

    /** A context whose deadline is {@code timeout} from now on {@code ticker}. */
    public static CallContext withDeadline(Duration timeout, Ticker ticker) {
        Check.nonNegative("timeout", timeout);
        return NONE.withDeadlineAt(ticker.read() + Check.nanos(timeout));
    }

    /** A typed attribute key; keys compare by identity, so keep them in constants. */
    public static <T> Key<T> key(String name) {
        return new Key<>(Check.name("name", name));
    }

    /** This context with its deadline at {@code ticker} reading {@code deadlineNanos}. */
    public CallContext withDeadlineAt(long deadlineNanos) {
        return new CallContext(deadlineNanos, true, attributes);
    }

    /** This context with {@code key} set to {@code value}. */
    public <T> CallContext with(Key<T> key, T value) {
        Map<Key<?>, Object> next = new HashMap<>(attributes);
        next.put(Check.notNull("key", key), Check.notNull("value", value));
        return new CallContext(deadlineNanos, hasDeadline, Map.copyOf(next));
    }

    /** The value of {@code key}, or {@code null}. */
    @SuppressWarnings("unchecked")
    public <T> T get(Key<T> key) {
        return (T) attributes.get(key);
    }

    public boolean hasDeadline() {
        return hasDeadline;
    }

    /** The deadline as a ticker reading; {@link Long#MAX_VALUE} when there is none. */
    public long deadlineNanos() {
        return deadlineNanos;
    }

    /** Nanoseconds left before the deadline at {@code nowNanos} ({@link Long#MAX_VALUE} when there is none). */
    public long remainingNanos(long nowNanos) {
        return hasDeadline ? deadlineNanos - nowNanos : Long.MAX_VALUE;
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
