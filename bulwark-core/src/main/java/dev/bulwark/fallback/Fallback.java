package dev.bulwark.fallback;

import dev.bulwark.CallFailedException;
import dev.bulwark.internal.Check;
import dev.bulwark.internal.Futures;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Answers a failed call with something else: a default, a degraded response, a value from another
 * source. It sees every failure, rejections included, so it belongs outermost in a pipeline.
 *
 * <pre>{@code
 * Fallback<List<String>> fallback = Fallback.of(error -> List.of("the most popular items"));
 * List<String> recommended = fallback.call(() -> failWith("the recommender is down"));
 * }</pre>
 */
public final class Fallback<T> {
    private final Function<? super Throwable, ? extends T> handler;
    private final Predicate<? super Throwable> when;

    private Fallback(Function<? super Throwable, ? extends T> handler, Predicate<? super Throwable> when) {
        this.handler = handler;
        this.when = when;
    }

    /** Answers every failure with {@code handler}'s value. */
    public static <T> Fallback<T> of(Function<? super Throwable, ? extends T> handler) {
        return new Fallback<>(Check.notNull("handler", handler), e -> true);
    }

    /** Answers every failure with {@code value}. */
    public static <T> Fallback<T> value(T value) {
        return of(e -> value);
    }

    /** This fallback, applied only to failures matching {@code predicate}; others propagate. */
    public Fallback<T> when(Predicate<? super Throwable> predicate) {
        return new Fallback<>(handler, Check.notNull("when", predicate));
    }

    /** Whether this fallback answers {@code error}. */
    public boolean handles(Throwable error) {
        return when.test(unwrap(error));
    }

    /** The fallback value for {@code error}. */
    public T apply(Throwable error) {
        return handler.apply(unwrap(error));
    }

    /** Runs {@code task}; a failure this fallback handles is answered by it. */
    public T call(Callable<? extends T> task) {
        try {
            return task.call();
        } catch (Throwable error) {
            if (handles(error)) {
                return apply(error);
            }
            throw CallFailedException.propagate(error);
        }
    }

    /**
     * Runs {@code task}; a failed stage this fallback handles is answered by it. The returned
     * future completes on every path: if the predicate or the handler throws, it fails with that
     * (the original failure attached as suppressed). Cancelling it cancels the task's.
     */
    public CompletableFuture<T> callAsync(Supplier<? extends CompletionStage<? extends T>> task) {
        CompletableFuture<? extends T> source = Futures.start(task);
        // A caller that gives up on the result gives up on the work, and frees what it holds.
        CompletableFuture<T> result = Futures.dependent(source);
        source.whenComplete((value, failure) -> {
            if (failure == null) {
                result.complete(value);
                return;
            }
            Throwable error = Futures.unwrap(failure);
            try {
                if (handles(error)) {
                    result.complete(apply(error));
                } else {
                    result.completeExceptionally(error);
                }
            } catch (Throwable fallbackError) {
                if (fallbackError != error) {
                    fallbackError.addSuppressed(error);
                }
                result.completeExceptionally(fallbackError);
            }
        });
        return result;
    }

    private static Throwable unwrap(Throwable error) {
        return dev.bulwark.internal.Errors.unwrapCompletion(error);
    }
}
