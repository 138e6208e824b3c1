package dev.bulwark.call;

import dev.bulwark.timeout.Timeout;
import java.util.concurrent.CompletableFuture;

/** Limits each attempt's time: interrupts a synchronous attempt, cancels an asynchronous one's future. */
final class TimeoutStage implements Stage, BuiltIn {
    private final Timeout timeout;

    TimeoutStage(Timeout timeout) {
        this.timeout = timeout;
    }

    @Override
    public Object call(Invocation invocation) {
        return timeout.call(invocation.context(), invocation::proceed);
    }

    @Override
    public Link link(int index, Link next) {
        return new Link(index) {
            @Override
            Object call(Frame frame) {
                return timeout.call(frame.context(), () -> next.call(frame));
            }
        };
    }

    @Override
    public CompletableFuture<Object> callAsync(Invocation invocation) {
        return timeout.callAsync(invocation.context(), invocation::proceedAsync);
    }

    @Override
    public StageKind kind() {
        return StageKind.TIMEOUT;
    }

    @Override
    public String name() {
        return "timeout '" + timeout.name() + "'";
    }
}
