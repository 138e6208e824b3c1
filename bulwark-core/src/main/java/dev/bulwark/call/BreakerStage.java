package dev.bulwark.call;

import dev.bulwark.breaker.CircuitBreaker;
import dev.bulwark.time.Ticker;
import java.util.concurrent.CompletableFuture;

/** Rejects attempts while a breaker is open and reports each attempt's outcome to it, once. */
final class BreakerStage implements Stage {
    private final CircuitBreaker breaker;
    private final Ticker ticker;

    BreakerStage(CircuitBreaker breaker) {
        this.breaker = breaker;
        this.ticker = breaker.ticker();
    }

    @Override
    public Object call(Invocation invocation) throws Exception {
        long permit = breaker.tryAcquirePermission();
        if (permit == CircuitBreaker.NO_PERMIT) {
            throw breaker.rejection();
        }
        boolean timed = breaker.measuresDuration();
        long start = timed ? ticker.read() : 0;
        Object result;
        try {
            result = invocation.proceed();
        } catch (Throwable error) {
            breaker.onResult(permit, timed ? ticker.read() - start : 0, null, error);
            throw error;
        }
        breaker.onResult(permit, timed ? ticker.read() - start : 0, result, null);
        return result;
    }

    @Override
    public CompletableFuture<Object> callAsync(Invocation invocation) {
        return breaker.callAsync(invocation::proceedAsync);
    }

    @Override
    public StageKind kind() {
        return StageKind.CIRCUIT_BREAKER;
    }

    @Override
    public String name() {
        return "circuit breaker '" + breaker.name() + "'";
    }
}
