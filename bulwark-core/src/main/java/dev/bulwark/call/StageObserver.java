package dev.bulwark.call;

import dev.bulwark.Verdict;

/**
 * Watches calls pass a point of the chain without changing them: tracing, metrics, logging. Made
 * into a stage with both faces by {@link Stages#observing(String, StageObserver)}.
 *
 * @param <S> what the observer keeps from the start of a call to its end (a span, say); {@code Void} if nothing
 */
public interface StageObserver<S> {

    /** A call reaches this point; the returned value is handed back at its end. */
    S onStart(Invocation invocation);

    /**
     * The call ended: {@code result} or {@code error} (non-null if it failed), judged by the chain's
     * classifier as {@code verdict}, after {@code durationNanos}. Exceptions thrown here are logged
     * and ignored.
     */
    void onEnd(Invocation invocation, S state, Object result, Throwable error, Verdict verdict, long durationNanos);
}
