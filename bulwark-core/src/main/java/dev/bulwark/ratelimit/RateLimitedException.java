package dev.bulwark.ratelimit;

import dev.bulwark.RejectedException;
import java.time.Duration;

/** A rate limiter rejected the call. Names the limiter and its limit, and when a permit will be due. */
public final class RateLimitedException extends RejectedException {
    private static final long serialVersionUID = 1L;

    private final long retryAfterNanos;

    public RateLimitedException(String limiterName, String limit, long retryAfterNanos) {
        super(limiterName, "rate limiter '" + limiterName + "' rejected the call (limit " + limit
                + "); next permit in " + Duration.ofNanos(Math.max(0, retryAfterNanos)));
        this.retryAfterNanos = Math.max(0, retryAfterNanos);
    }

    /** Nanoseconds until a permit is expected to be available. */
    @Override
    public long retryAfterNanos() {
        return retryAfterNanos;
    }
}
