package dev.bulwark.timeout;

import dev.bulwark.BulwarkException;
import java.time.Duration;

/**
 * A call ran past its time limit and was stopped: the thread running it was interrupted, or its
 * future cancelled. Names the policy and the limit. Carries no stack trace (timeouts are common
 * under load and the trace would only show the timer); the cause, if any, is what the interrupted
 * call threw.
 */
public final class CallTimeoutException extends BulwarkException {
    private static final long serialVersionUID = 1L;

    private final String policyName;
    private final long limitNanos;

    public CallTimeoutException(String policyName, long limitNanos, Throwable cause) {
        super("call timed out: '" + policyName + "' allows " + Duration.ofNanos(limitNanos), cause, false);
        this.policyName = policyName;
        this.limitNanos = limitNanos;
    }

    public String policyName() {
        return policyName;
    }

    /** The limit that was exceeded, in nanoseconds. */
    public long limitNanos() {
        return limitNanos;
    }
}
