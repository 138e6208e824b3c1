package dev.bulwark.pipeline;

import dev.bulwark.CallContext;
import dev.bulwark.breaker.CircuitBreaker;
import dev.bulwark.bulkhead.Bulkhead;
import dev.bulwark.fallback.Fallback;
import dev.bulwark.fallback.StaleCache;
import dev.bulwark.ratelimit.RateLimiter;
import dev.bulwark.retry.Retry;
import dev.bulwark.time.Ticker;
import dev.bulwark.timeout.Timeout;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;

/** The chain links of each policy. */
final class Links {
    private Links() {
    }

    static final class RetryLink extends Link {
        private final Retry retry;
        private final Retry.Attempt<Callable<?>, Object> inner;

        RetryLink(Retry retry, Link next) {
            super(Stage.RETRY, next);
            this.retry = retry;
            this.inner = next::call;
        }

        @Override
        Object call(CallContext context, Callable<?> task) {
            return retry.call(context, task, inner);
        }

        @Override
        CompletableFuture<Object> callAsync(CallContext context, Supplier<? extends CompletionStage<?>> task) {
            return retry.callAsync(context, () -> next.callAsync(context, task));
        }
    }

    static final class RateLimiterLink extends Link {
        private final RateLimiter limiter;
        private final Duration maxWait;

        RateLimiterLink(RateLimiter limiter, Duration maxWait, Link next) {
            super(Stage.RATE_LIMITER, next);
            this.limiter = limiter;
            this.maxWait = maxWait;
        }

        private boolean acquire() {
            return maxWait.isZero() ? limiter.tryAcquire() : limiter.tryAcquire(1, maxWait);
        }

        @Override
        Object call(CallContext context, Callable<?> task) throws Exception {
            if (!acquire()) {
                throw limiter.rejection();
            }
            return next.call(context, task);
        }

        @Override
        CompletableFuture<Object> callAsync(CallContext context, Supplier<? extends CompletionStage<?>> task) {
            // Never block an async caller: only a permit available now counts.
            return limiter.tryAcquire() ? next.callAsync(context, task) : CompletableFuture.failedFuture(limiter.rejection());
        }
    }

    static final class BulkheadLink extends Link {
        private final Bulkhead bulkhead;

        BulkheadLink(Bulkhead bulkhead, Link next) {
            super(Stage.BULKHEAD, next);
            this.bulkhead = bulkhead;
        }

        @Override
        Object call(CallContext context, Callable<?> task) throws Exception {
            if (!bulkhead.acquirePermission()) {
                throw bulkhead.rejection(bulkhead.config().maxWait());
            }
            try {
                return next.call(context, task);
            } finally {
                bulkhead.release();
            }
        }

        @Override
        CompletableFuture<Object> callAsync(CallContext context, Supplier<? extends CompletionStage<?>> task) {
            if (!bulkhead.tryAcquirePermission()) {
                return CompletableFuture.failedFuture(bulkhead.rejection(Duration.ZERO));
            }
            CompletableFuture<Object> stage = next.callAsync(context, task);
            stage.whenComplete((r, e) -> bulkhead.release());
            return stage;
        }
    }

    static final class BreakerLink extends Link {
        private final CircuitBreaker breaker;
        private final Ticker ticker;

        BreakerLink(CircuitBreaker breaker, Link next) {
            super(Stage.CIRCUIT_BREAKER, next);
            this.breaker = breaker;
            this.ticker = breaker.ticker();
        }

        @Override
        Object call(CallContext context, Callable<?> task) throws Exception {
            long permit = breaker.tryAcquirePermission();
            if (permit == CircuitBreaker.NO_PERMIT) {
                throw breaker.rejection();
            }
            boolean timed = breaker.measuresDuration();
            long start = timed ? ticker.read() : 0;
            Object result;
            try {
                result = next.call(context, task);
            } catch (Throwable error) {
                breaker.onResult(permit, timed ? ticker.read() - start : 0, null, error);
                throw error;
            }
            breaker.onResult(permit, timed ? ticker.read() - start : 0, result, null);
            return result;
        }

        @Override
        CompletableFuture<Object> callAsync(CallContext context, Supplier<? extends CompletionStage<?>> task) {
            long permit = breaker.tryAcquirePermission();
            if (permit == CircuitBreaker.NO_PERMIT) {
                return CompletableFuture.failedFuture(breaker.rejection());
            }
            long start = ticker.read();
            CompletableFuture<Object> stage = next.callAsync(context, task);
            stage.whenComplete((r, e) -> breaker.onResult(permit, ticker.read() - start, r, unwrap(e)));
            return stage;
        }
    }

    static final class TimeoutLink extends Link {
        private final Timeout timeout;

        TimeoutLink(Timeout timeout, Link next) {
            super(Stage.TIMEOUT, next);
            this.timeout = timeout;
        }

        @Override
        Object call(CallContext context, Callable<?> task) {
            return timeout.call(context, () -> next.call(context, task));
        }

        @Override
        CompletableFuture<Object> callAsync(CallContext context, Supplier<? extends CompletionStage<?>> task) {
            return timeout.callAsync(context, () -> next.callAsync(context, task));
        }
    }

    static final class FallbackLink extends Link {
        private final Fallback<Object> fallback;

        FallbackLink(Fallback<Object> fallback, Link next) {
            super(Stage.FALLBACK, next);
            this.fallback = fallback;
        }

        @Override
        Object call(CallContext context, Callable<?> task) throws Exception {
            try {
                return next.call(context, task);
            } catch (Throwable error) {
                if (fallback.handles(error)) {
                    return fallback.apply(error);
                }
                throw error;
            }
        }

        @Override
        CompletableFuture<Object> callAsync(CallContext context, Supplier<? extends CompletionStage<?>> task) {
            return fallback.callAsync(() -> next.callAsync(context, task));
        }
    }

    static final class StaleCacheLink extends Link {
        private final StaleCache<Object, Object> cache;
        private final Function<CallContext, ?> keyOf;

        StaleCacheLink(StaleCache<Object, Object> cache, Function<CallContext, ?> keyOf, Link next) {
            super(Stage.STALE_CACHE, next);
            this.cache = cache;
            this.keyOf = keyOf;
        }

        @Override
        Object call(CallContext context, Callable<?> task) {
            Object key = keyOf.apply(context);
            return key == null ? callThrough(context, task) : cache.call(key, () -> next.call(context, task));
        }

        private Object callThrough(CallContext context, Callable<?> task) {
            try {
                return next.call(context, task);
            } catch (Exception e) {
                throw dev.bulwark.CallFailedException.propagate(e);
            }
        }

        @Override
        CompletableFuture<Object> callAsync(CallContext context, Supplier<? extends CompletionStage<?>> task) {
            Object key;
            try {
                key = keyOf.apply(context);
            } catch (Throwable e) {
                return CompletableFuture.failedFuture(e);
            }
            return key == null ? next.callAsync(context, task) : cache.callAsync(key, () -> next.callAsync(context, task));
        }
    }

    static Throwable unwrap(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }
}
