package dev.bulwark.call;

import dev.bulwark.CallContext;
import dev.bulwark.FailureClassifier;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The built chain of one pipeline or pool: its stages, outermost first, and the terminal that
 * makes the call itself. Immutable and shared by every call. A synchronous call walks it in a
 * frame reused from the calling thread (no allocation); an asynchronous call walks it in
 * immutable invocations, one per position.
 */
final class Chain {
    final String name;
    final Stage[] stages;
    final Terminal terminal;
    final FailureClassifier classifier;
    final List<String> warnings;

    Chain(String name, List<Stage> stages, Terminal terminal, FailureClassifier classifier, List<String> warnings) {
        this.name = name;
        this.stages = stages.toArray(new Stage[0]);
        this.terminal = terminal;
        this.classifier = classifier;
        this.warnings = List.copyOf(warnings);
    }

    /** Runs {@code task} through every stage on this thread. */
    Object call(CallContext context, Object task) throws Exception {
        FrameStack stack = FrameStack.current();
        Frame frame = stack.push(this, context, task);
        try {
            return frame.proceed(context);
        } finally {
            stack.pop(frame);
        }
    }

    /** Starts {@code task} through every stage; never throws. */
    CompletableFuture<Object> callAsync(CallContext context, Object task) {
        return new AsyncInvocation(this, -1, context, null, 1, task, new CallState()).proceedAsync(context);
    }

    String stageName(int index) {
        return index < 0 ? "the caller" : index < stages.length ? stages[index].name() : "the call";
    }

    /** Makes the call itself at the end of the chain: a pipeline's task, a pool's client call. */
    interface Terminal {
        Object call(Invocation invocation, Object task) throws Exception;

        CompletableFuture<Object> callAsync(Invocation invocation, Object task);
    }
}
