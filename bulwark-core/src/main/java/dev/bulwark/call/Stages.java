package dev.bulwark.call;

import dev.bulwark.CallContext;
import dev.bulwark.Verdict;
import dev.bulwark.breaker.CircuitBreaker;
import dev.bulwark.bulkhead.Bulkhead;
import dev.bulwark.fallback.Fallback;
import dev.bulwark.fallback.StaleCache;
import dev.bulwark.internal.Check;
import dev.bulwark.ratelimit.RateLimiter;
import dev.bulwark.retry.Retry;
import dev.bulwark.time.Ticker;
import dev.bulwark.timeout.Timeout;
import java.time.Duration;
import java.util.function.Function;

/**
 * The built-in stages: each policy as a stage, and a few stages of general use. A pipeline's or
 * pool's builder makes the policy stages for you in the default order; these are for composing a
 * chain in an order of your own with {@code stages(...)}, and for the general-use stages.
 */
public final class Stages {
    private static final Stage PICK = new PickMarker();
    private static final Stage RECOVER = new RecoverStage();

    private Stages() {
    }

    /** Retries failed attempts of the stages inside it. */
    public static Stage retry(Retry retry) {
        return new RetryStage(Check.notNull("retry", retry));
    }

    /** Takes a permit per attempt, or rejects the attempt at once. */
    public static Stage rateLimiter(RateLimiter limiter) {
        return rateLimiter(limiter, Duration.ZERO);
    }

    /**
     * Takes a permit per attempt, waiting at most {@code maxWait}: a synchronous call sleeps; an
     * asynchronous one on a token bucket proceeds on a timer when its permit falls due.
     */
    public static Stage rateLimiter(RateLimiter limiter, Duration maxWait) {
        Check.nonNegative("rateLimiter.maxWait", maxWait);
        return new RateLimiterStage(Check.notNull("rateLimiter", limiter), maxWait);
    }

    /** Caps the attempts running at once. */
    public static Stage bulkhead(Bulkhead bulkhead) {
        return new BulkheadStage(Check.notNull("bulkhead", bulkhead));
    }

    /** Guards the whole dependency with one breaker (a pool's pick stage adds one per endpoint). */
    public static Stage circuitBreaker(CircuitBreaker breaker) {
        return new BreakerStage(Check.notNull("circuitBreaker", breaker));
    }

    /** Limits each attempt's time, stopping it at the limit. */
    public static Stage timeout(Timeout timeout) {
        return new TimeoutStage(Check.notNull("timeout", timeout));
    }

    /** Answers the failures {@code fallback} handles. */
    public static Stage fallback(Fallback<?> fallback) {
        return new FallbackStage(Check.notNull("fallback", fallback));
    }

    /** Remembers successes per key ({@code keyOf} the call's context; null: no caching) and serves them on failure. */
    public static <K> Stage staleCache(StaleCache<K, ?> cache, Function<CallContext, K> keyOf) {
        return new StaleCacheStage(Check.notNull("staleCache", cache), Check.notNull("staleCache.keyOf", keyOf));
    }

    /**
     * Where a pool's endpoint pick goes in an order of your own ({@code ClientPool.Builder.stages}):
     * the pool puts its pick stage there. A pipeline has no endpoints and refuses it.
     */
    public static Stage pick() {
        return PICK;
    }

    /**
     * Turns an unexpected exception from user code into a {@link RecoveredException}, and an
     * {@link Error} other than a virtual-machine error (out of memory, stack overflow, which no
     * handler should swallow) likewise. Bulwark's own exceptions and checked exceptions pass
     * through unchanged: they are expected.
     */
    public static Stage recover() {
        return RECOVER;
    }

    /** Reports every call's outcome, verdict and duration to {@code recorder}, on the system clock. */
    public static Stage metrics(CallRecorder recorder) {
        return metrics(recorder, Ticker.system());
    }

    /** Reports every call's outcome, verdict and duration to {@code recorder}, timed on {@code ticker}. */
    public static Stage metrics(CallRecorder recorder, Ticker ticker) {
        Check.notNull("recorder", recorder);
        return observing("metrics", new StageObserver<Void>() {
            @Override
            public Void onStart(Invocation invocation) {
                return null;
            }

            @Override
            public void onEnd(Invocation invocation, Void state, Object result, Throwable error, Verdict verdict,
                    long durationNanos) {
                recorder.record(invocation.chain(), invocation.endpoint() == null ? "" : invocation.endpoint().name(),
                        verdict, error, durationNanos);
            }
        }, ticker);
    }

    /** A stage with both faces that tells {@code observer} where each call starts and how it ends. */
    public static <S> Stage observing(String name, StageObserver<S> observer) {
        return observing(name, observer, Ticker.system());
    }

    /** As {@link #observing(String, StageObserver)}, timing calls on {@code ticker}. */
    public static <S> Stage observing(String name, StageObserver<S> observer, Ticker ticker) {
        return new ObserverStage<>(Check.name("name", name), Check.notNull("observer", observer),
                Check.notNull("ticker", ticker));
    }

    /** The place of a pool's pick in an order of one's own; never runs itself. */
    private static final class PickMarker implements Stage {
        @Override
        public Object call(Invocation invocation) {
            throw new IllegalStateException("Stages.pick() marks where a pool's pick goes; it is not a stage of its own");
        }

        @Override
        public StageKind kind() {
            return StageKind.PICK;
        }
    }

    static boolean isPickMarker(Stage stage) {
        return stage == PICK;
    }
}
