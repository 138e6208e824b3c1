package dev.bulwark.call;

import dev.bulwark.breaker.CircuitBreaker;
import dev.bulwark.time.Ticker;
import java.util.concurrent.CompletableFuture;

/** Rejects attempts while a breaker is open and reports each attempt's outcome to it, once. */
final class BreakerStage implements Stage, BuiltIn {
    private final CircuitBreaker breaker;
    private final Ticker ticker;

    BreakerStage(CircuitBreaker breaker) {
        this.breaker = breaker;
        this.ticker = breaker.ticker();
    }

    @Override
    public Object call(Invocation invocation) throws Exception {
        return call(breaker, ticker, (Frame) invocation, null);
    }

    /** One attempt through {@code breaker}; {@code next} null: proceed from the frame's own position. */
    private static Object call(CircuitBreaker breaker, Ticker ticker, Frame frame, Link next) throws Exception {
        long permit = breaker.tryAcquirePermission();
        if (permit == CircuitBreaker.NO_PERMIT) {
            throw breaker.rejection();
        }
        boolean timed = breaker.measuresDuration();
        long start = timed ? ticker.read() : 0;
        Object result;
        try {
            result = next == null ? frame.proceed() : next.call(frame);
        } catch (Throwable error) {
            breaker.onResult(permit, timed ? ticker.read() - start : 0, null, error);
            throw error;
        }
        breaker.onResult(permit, timed ? ticker.read() - start : 0, result, null);
        return result;
    }

    @Override
    public Link link(int index, Link next) {
        return new Link(index) {
            @Override
            Object call(Frame frame) throws Exception {
                return BreakerStage.call(breaker, ticker, frame, next);
            }
        };
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
