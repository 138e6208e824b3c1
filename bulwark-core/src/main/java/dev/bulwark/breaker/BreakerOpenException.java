package dev.bulwark.breaker;

import dev.bulwark.RejectedException;
import java.time.Duration;

/**
 * A circuit breaker rejected the call. Names the breaker, its state, why it is in that state and
 * how long until it lets a probe through. Carries no stack trace.
 */
public final class BreakerOpenException extends RejectedException {
    private static final long serialVersionUID = 1L;

    private final State state;
    private final String reason;
    private final long retryAfterNanos;

    BreakerOpenException(String name, State state, String reason, long retryAfterNanos) {
        super(name, null);
        this.state = state;
        this.reason = reason;
        this.retryAfterNanos = retryAfterNanos;
    }

    /** Built when read: most rejections are counted and dropped, never printed. */
    @Override
    public String getMessage() {
        return message(policyName(), state, reason, retryAfterNanos);
    }

    private static String message(String name, State state, String reason, long retryAfterNanos) {
        String next = switch (state) {
            case OPEN -> "next probe in " + Duration.ofNanos(Math.max(0, retryAfterNanos));
            case HALF_OPEN -> "every probe slot is taken";
            default -> "until an operator resets it";
        };
        return "circuit breaker '" + name + "' is " + state + " (" + reason + "); " + next;
    }

    /** The breaker's state when it rejected the call. */
    public State state() {
        return state;
    }

    /** Nanoseconds until the breaker admits a probe; {@code -1} if only an operator can close it. */
    @Override
    public long retryAfterNanos() {
        return retryAfterNanos;
    }
}
