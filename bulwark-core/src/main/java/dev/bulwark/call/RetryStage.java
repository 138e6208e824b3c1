package dev.bulwark.call;

import dev.bulwark.retry.Retry;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;

/** Runs the stages inside it again when an attempt fails in a way retrying may fix; counts the attempts. */
final class RetryStage implements Stage {
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
        AtomicInteger attempts = new AtomicInteger();
        return retry.callAsync(call.context(), () -> call.withAttempt(attempts.incrementAndGet()).proceedAsync());
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
