package dev.bulwark.call;

import dev.bulwark.internal.Futures;
import dev.bulwark.ratelimit.RateLimiter;
import dev.bulwark.ratelimit.TokenBucket;
import dev.bulwark.time.Scheduler;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * Takes a permit per attempt. A synchronous attempt waits at most {@code maxWait}; an asynchronous
 * one never blocks: on a token bucket it reserves the permit and proceeds when it falls due, on a
 * timer; on other limiters it takes a permit available now or is rejected.
 */
final class RateLimiterStage implements Stage, BuiltIn {
    private final RateLimiter limiter;
    private final Duration maxWait;
    private final long maxWaitNanos;

    RateLimiterStage(RateLimiter limiter, Duration maxWait) {
        this.limiter = limiter;
        this.maxWait = maxWait;
        this.maxWaitNanos = dev.bulwark.internal.Check.nanos(maxWait);
    }

    @Override
    public Object call(Invocation invocation) throws Exception {
        if (!(maxWaitNanos == 0 ? limiter.tryAcquire() : limiter.tryAcquire(1, maxWait))) {
            throw limiter.rejection();
        }
        return invocation.proceed();
    }

    @Override
    public Link link(int index, Link next) {
        return new Link(index) {
            @Override
            Object call(Frame frame) throws Exception {
                if (!(maxWaitNanos == 0 ? limiter.tryAcquire() : limiter.tryAcquire(1, maxWait))) {
                    throw limiter.rejection();
                }
                return next.call(frame);
            }
        };
    }

    @Override
    public CompletableFuture<Object> callAsync(Invocation invocation) {
        if (maxWaitNanos > 0 && limiter instanceof TokenBucket bucket) {
            long wait = bucket.reserve(1, maxWaitNanos);
            if (wait < 0) {
                return CompletableFuture.failedFuture(limiter.rejection());
            }
            if (wait > 0) {
                return proceedLater(invocation, bucket.scheduler(), wait);
            }
            return invocation.proceedAsync();
        }
        return limiter.tryAcquire() ? invocation.proceedAsync() : CompletableFuture.failedFuture(limiter.rejection());
    }

    private static CompletableFuture<Object> proceedLater(Invocation invocation, Scheduler scheduler, long wait) {
        CompletableFuture<Object> result = new CompletableFuture<>();
        Scheduler.Cancellable timer = scheduler.schedule(() -> {
            if (result.isDone()) {
                return; // cancelled while waiting
            }
            CompletableFuture<Object> inner = invocation.proceedAsync();
            result.whenComplete((v, e) -> {
                if (result.isCancelled()) {
                    inner.cancel(true);
                }
            });
            inner.whenComplete((v, e) -> Futures.complete(result, v, Futures.unwrap(e)));
        }, wait);
        result.whenComplete((v, e) -> {
            if (result.isCancelled()) {
                timer.cancel();
            }
        });
        return result;
    }

    @Override
    public StageKind kind() {
        return StageKind.RATE_LIMITER;
    }

    @Override
    public String name() {
        return "rate limiter '" + limiter.name() + "'";
    }
}
