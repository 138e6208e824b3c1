package dev.bulwark.pipeline;

import dev.bulwark.CallContext;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * One policy in a built pipeline, holding the link inside it. Links are built once per pipeline;
 * a call passes its context and task down the chain as arguments, so the chain itself allocates
 * nothing per call.
 */
abstract class Link {
    final Stage stage;
    final Link next;

    Link(Stage stage, Link next) {
        this.stage = stage;
        this.next = next;
    }

    abstract Object call(CallContext context, Callable<?> task) throws Exception;

    abstract CompletableFuture<Object> callAsync(CallContext context, Supplier<? extends CompletionStage<?>> task);

    /** The innermost link: the user's task itself. */
    static final class Task extends Link {
        Task() {
            super(null, null);
        }

        @Override
        Object call(CallContext context, Callable<?> task) throws Exception {
            return task.call();
        }

        @Override
        @SuppressWarnings("unchecked")
        CompletableFuture<Object> callAsync(CallContext context, Supplier<? extends CompletionStage<?>> task) {
            try {
                return (CompletableFuture<Object>) task.get().toCompletableFuture();
            } catch (Throwable e) {
                return CompletableFuture.failedFuture(e);
            }
        }
    }
}
