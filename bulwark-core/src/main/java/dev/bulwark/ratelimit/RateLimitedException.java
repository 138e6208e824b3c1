package dev.bulwark.ratelimit;

import dev.bulwark.RejectedException;
import java.time.Duration;

/** A rate limiter rejected the call. Names the limiter and its limit, and when a permit will be due. */
public final class RateLimitedException extends RejectedException {
    private static final long serialVersionUID = 1L;

    private final String limit;
    private final long retryAfterNanos;

    public RateLimitedException(String limiterName, String limit, long retryAfterNanos) {
        super(limiterName, null);
        this.limit = limit;
        this.retryAfterNanos = Math.max(0, retryAfterNanos);
    }

    /** Built when read: most rejections are counted and dropped, never printed. */
    @Override
    public String getMessage() {
        return "rate limiter '" + policyName() + "' rejected the call (limit " + limit
                + "); next permit in " + Duration.ofNanos(retryAfterNanos);
    }

    /** Nanoseconds until a permit is expected to be available. */
    @Override
    public long retryAfterNanos() {
        return retryAfterNanos;
    }
}
