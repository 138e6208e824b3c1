package dev.bulwark.http;

import dev.bulwark.CallContext;
import java.net.http.HttpRequest;

/**
 * Adds to each attempt's request what only the call's context knows: a trace's
 * {@code traceparent}, a tenant header. Runs once per attempt, after the pick, with the context
 * the stages before it left (so a tracing stage's attempt span is in it).
 */
@FunctionalInterface
public interface RequestDecorator {
    void decorate(CallContext context, HttpRequest.Builder request);
}
