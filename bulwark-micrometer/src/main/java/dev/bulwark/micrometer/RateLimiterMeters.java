package dev.bulwark.micrometer;

import dev.bulwark.internal.Check;
import dev.bulwark.ratelimit.RateLimiter;
import dev.bulwark.ratelimit.SlidingWindowLimiter;
import dev.bulwark.ratelimit.TokenBucket;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.concurrent.TimeUnit;

/**
 * Gauges of one {@link RateLimiter}, tagged {@code name} (the limiter's):
 * <ul>
 * <li>{@code bulwark.ratelimiter.next.permit}: seconds until a permit is available, 0 while one is
 *     (every limiter);</li>
 * <li>{@code bulwark.ratelimiter.available.permits}, {@code bulwark.ratelimiter.rate} (permits per
 *     second) and {@code bulwark.ratelimiter.burst}, for a {@link TokenBucket};</li>
 * <li>{@code bulwark.ratelimiter.window.limit}, the calls allowed per window, for a
 *     {@link SlidingWindowLimiter}.</li>
 * </ul>
 * Rejections are not counted here: limiters keep no count of them (the pool's metrics middleware
 * counts rate-limited calls as {@code outcome="rejected"}). The meters hold the limiter strongly
 * until {@link #close()}. Thread-safe.
 */
public final class RateLimiterMeters implements MeterBinder, AutoCloseable {
    private final RateLimiter limiter;
    private final Tags tags;
    private final BoundMeters meters = new BoundMeters();

    private RateLimiterMeters(RateLimiter limiter) {
        this.limiter = limiter;
        this.tags = Tags.of(CircuitBreakerMeters.NAME_TAG, limiter.name());
    }

    /** Gauges for {@code limiter}; bind them with {@link #bindTo(MeterRegistry)}. */
    public static RateLimiterMeters of(RateLimiter limiter) {
        return new RateLimiterMeters(Check.notNull("limiter", limiter));
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Check.notNull("registry", registry);
        meters.timeGauge(registry, "bulwark.ratelimiter.next.permit", limiter, RateLimiter::nanosUntilPermit,
                "Time until the limiter has a permit, 0 while it has one", tags);
        if (limiter instanceof TokenBucket bucket) {
            meters.gauge(registry, "bulwark.ratelimiter.available.permits", bucket, TokenBucket::availablePermits,
                "Whole permits the token bucket holds now", tags);
            meters.gauge(registry, "bulwark.ratelimiter.rate", bucket, TokenBucket::permitsPerSecond,
                "Permits the token bucket grants per second", tags);
            meters.gauge(registry, "bulwark.ratelimiter.burst", bucket, TokenBucket::burst,
                "Permits the token bucket holds when full", tags);
        } else if (limiter instanceof SlidingWindowLimiter window) {
            meters.gauge(registry, "bulwark.ratelimiter.window.limit", window, SlidingWindowLimiter::limit,
                "Calls the sliding-window limiter admits per window", tags);
        }
    }

    /** Removes every meter this binder registered, from every registry. */
    @Override
    public void close() {
        meters.removeAll();
    }
}
