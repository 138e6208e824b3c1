package dev.bulwark.breaker;

import dev.bulwark.Verdict;

/**
 * Observes a {@link CircuitBreaker}. Callbacks run on the calling thread, inside the call path:
 * keep them short and non-blocking. An exception thrown by a listener is logged and never reaches
 * the caller. Every method has an empty default, so implement only what you need.
 */
public interface CircuitBreakerListener {

    /** The breaker moved from one state to another; {@code reason} says why (e.g. the rule that fired). */
    default void onStateTransition(CircuitBreaker breaker, State from, State to, String reason) {
    }

    /** A permitted call finished and was judged; {@code durationNanos} is its run time. */
    default void onOutcome(CircuitBreaker breaker, Verdict verdict, long durationNanos) {
    }

    /** A call was rejected. */
    default void onRejected(CircuitBreaker breaker, State state) {
    }

    /** A half-open probe that never reported its outcome was released by the probe timeout. */
    default void onProbeReleased(CircuitBreaker breaker) {
    }
}
