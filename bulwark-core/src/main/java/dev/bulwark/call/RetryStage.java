package dev.bulwark.call;

import dev.bulwark.retry.Retry;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/** Runs the stages inside it again when an attempt fails in a way retrying may fix; counts the attempts. */
final class RetryStage implements Stage, BuiltIn {
    /** One attempt of a synchronous call: built once, the frame is the per-call carrier. */
    private static final Retry.Attempt<Frame, Object> ATTEMPT = (context, frame) -> {
        frame.attempt++;
        return frame.proceed(context);
    };

    private final Retry retry;

    RetryStage(Retry retry) {
        this.retry = retry;
    }

    @Override
    public Object call(Invocation invocation) {
        Frame frame = (Frame) invocation;
        int outer = frame.attempt;
        frame.attempt = 0;
        try {
            return retry.call(frame.context(), frame, ATTEMPT);
        } finally {
            frame.attempt = outer;
        }
    }

    @Override
    public CompletableFuture<Object> callAsync(Invocation invocation) {
        AsyncInvocation call = (AsyncInvocation) invocation;
        return retry.callAsync(call.context(), new Attempts(call));
    }

    /** Starts each attempt of one asynchronous call with its number; attempts run one after another. */
    private static final class Attempts implements Supplier<CompletableFuture<Object>> {
        private final AsyncInvocation call;
        private int attempt;

        Attempts(AsyncInvocation call) {
            this.call = call;
        }

        @Override
        public CompletableFuture<Object> get() {
            return call.withAttempt(++attempt).proceedAsync();
        }
    }

    @Override
    public Link link(int index, Link next) {
        return new RetryLink(index, retry, next);
    }

    private static final class RetryLink extends Link {
        private final Retry retry;
        private final Retry.Attempt<Frame, Object> attempt;

        RetryLink(int index, Retry retry, Link next) {
            super(index);
            this.retry = retry;
            this.attempt = (context, frame) -> {
                frame.attempt++;
                return next.call(frame);
            };
        }

        @Override
        Object call(Frame frame) {
            int outer = frame.attempt;
            frame.attempt = 0;
            try {
                return retry.call(frame.context(), frame, attempt);
            } finally {
                frame.attempt = outer;
            }
        }
    }

    @Override
    public StageKind kind() {
        return StageKind.RETRY;
    }

    @Override
    public String name() {
        return "retry '" + retry.name() + "'";
    }
}
