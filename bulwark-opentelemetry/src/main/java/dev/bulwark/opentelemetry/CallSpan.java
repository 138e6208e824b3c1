package dev.bulwark.opentelemetry;

import io.opentelemetry.api.trace.Span;

/**
 * What the call's span knows of its attempts as they come: the last one's endpoint, end and
 * error. Attempts follow one another, so each field is written by one attempt at a time; they are
 * volatile because attempts may run on different threads.
 */
final class CallSpan {
    final Span span;
    volatile int attempts;
    volatile String lastEndpoint;
    volatile long lastEndNanos;
    volatile Throwable lastError;

    CallSpan(Span span) {
        this.span = span;
    }
}
