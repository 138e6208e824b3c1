package dev.bulwark.middleware;

import dev.bulwark.BulwarkException;
import dev.bulwark.internal.Check;
import dev.bulwark.ratelimit.RateLimiter;
import dev.bulwark.time.Ticker;
import java.time.Duration;

/** The built-in middlewares. */
public final class Middlewares {
    private Middlewares() {
    }

    /**
     * Turns an unexpected exception from user code into a {@link RecoveredException}, and an
     * {@link Error} other than a virtual-machine error (out of memory, stack overflow, which no
     * handler should swallow) likewise. Bulwark's own exceptions and checked exceptions pass
     * through unchanged: they are expected. Register it first, outermost.
     */
    public static Middleware recover() {
        return invocation -> {
            try {
                return invocation.proceed();
            } catch (BulwarkException expected) {
                throw expected;
            } catch (RuntimeException | LinkageError | AssertionError unexpected) {
                throw new RecoveredException(invocation.pool(), invocation.endpoint().name(), unexpected);
            }
        };
    }

    /**
     * Rate limits the calls going through: each takes a permit from {@code limiter}, waiting at
     * most {@code maxWait}, or fails with the limiter's {@link dev.bulwark.ratelimit.RateLimitedException}.
     */
    public static Middleware rateLimit(RateLimiter limiter, Duration maxWait) {
        Check.notNull("limiter", limiter);
        Check.nonNegative("maxWait", maxWait);
        boolean wait = !maxWait.isZero();
        return invocation -> {
            if (!(wait ? limiter.tryAcquire(1, maxWait) : limiter.tryAcquire())) {
                throw limiter.rejection();
            }
            return invocation.proceed();
        };
    }

    /** Reports every call's outcome and duration to {@code recorder}, on the system clock. */
    public static Middleware metrics(CallRecorder recorder) {
        return metrics(recorder, Ticker.system());
    }

    /** Reports every call's outcome and duration to {@code recorder}, timed on {@code ticker}. */
    public static Middleware metrics(CallRecorder recorder, Ticker ticker) {
        Check.notNull("recorder", recorder);
        Check.notNull("ticker", ticker);
        return invocation -> {
            long start = ticker.read();
            try {
                Object result = invocation.proceed();
                recorder.record(invocation.pool(), invocation.endpoint().name(), null, ticker.read() - start);
                return result;
            } catch (Throwable error) {
                recorder.record(invocation.pool(), invocation.endpoint().name(), error, ticker.read() - start);
                throw error;
            }
        };
    }
}
