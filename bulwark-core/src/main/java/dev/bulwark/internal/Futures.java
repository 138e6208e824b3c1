package dev.bulwark.internal;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;

/**
 * The few moves every asynchronous policy makes: start a task without letting it throw, hand the
 * caller a future of its own whose cancellation reaches the task, and complete it from an outcome.
 */
public final class Futures {
    private Futures() {
    }

    /**
     * Starts {@code task}; a task that throws, or returns {@code null}, gives a failed future
     * instead, so that no caller has to guard the call.
     */
    @SuppressWarnings("unchecked")
    public static <T> CompletableFuture<T> start(Supplier<? extends CompletionStage<? extends T>> task) {
        try {
            CompletionStage<? extends T> stage = task.get();
            if (stage == null) {
                return CompletableFuture.failedFuture(new NullPointerException("the task returned no CompletionStage"));
            }
            return (CompletableFuture<T>) stage.toCompletableFuture();
        } catch (Throwable e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /**
     * A new future for the caller; cancelling it cancels {@code source} (interrupting, if it can).
     * One object: the cancellation is passed on by an override, not by a callback.
     */
    public static <T> CompletableFuture<T> dependent(CompletableFuture<?> source) {
        return new Dependent<>(source);
    }

    /** A future whose cancellation also cancels the future it depends on. */
    private static final class Dependent<T> extends CompletableFuture<T> {
        private final CompletableFuture<?> source;

        Dependent(CompletableFuture<?> source) {
            this.source = source;
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean cancelled = super.cancel(mayInterruptIfRunning);
            if (cancelled) {
                source.cancel(true);
            }
            return cancelled;
        }
    }

    /** Completes {@code future} with {@code value}, or with {@code error} if it is not null. */
    public static <T> void complete(CompletableFuture<T> future, T value, Throwable error) {
        if (error == null) {
            future.complete(value);
        } else {
            future.completeExceptionally(error);
        }
    }

    /** The error a future failed with, without the {@link CompletionException} wrapper dependent stages add. */
    public static Throwable unwrap(Throwable error) {
        return Errors.unwrapCompletion(error);
    }
}
