package dev.bulwark.internal;

import dev.bulwark.CallFailedException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;

/** Looking through the wrappers an error picks up on its way out of a task or a future. */
public final class Errors {
    private Errors() {
    }

    /**
     * The error itself, without the wrappers that carry it: {@link CallFailedException} (a checked
     * exception out of a Callable), {@link CompletionException} and {@link ExecutionException} (out
     * of a future). {@code null} stays {@code null}.
     */
    public static Throwable unwrap(Throwable error) {
        Throwable t = error;
        while ((t instanceof CallFailedException || t instanceof CompletionException || t instanceof ExecutionException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /** The error a future failed with, without the {@link CompletionException} that dependent stages add. */
    public static Throwable unwrapCompletion(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }

    /** The deepest cause of {@code error} (the error itself if it has none), safe against cause loops. */
    public static Throwable root(Throwable error) {
        Throwable root = error;
        for (int depth = 0; root != null && root.getCause() != null && root.getCause() != root && depth < 64; depth++) {
            root = root.getCause();
        }
        return root;
    }
}
