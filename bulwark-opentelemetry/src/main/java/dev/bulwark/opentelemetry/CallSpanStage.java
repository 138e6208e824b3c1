package dev.bulwark.opentelemetry;

import dev.bulwark.CallContext;
import dev.bulwark.call.Invocation;
import dev.bulwark.call.Stage;
import dev.bulwark.call.StageKind;
import dev.bulwark.internal.Errors;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import java.util.concurrent.CompletableFuture;

/**
 * The call's span: started before anything else runs (so a rejection, a retry and a fallback all
 * happen inside it), ended with the call's outcome. Its parent is the context's
 * {@link CallTracing#OTEL_CONTEXT}, or OpenTelemetry's current context.
 *
 * <p>Under OpenTelemetry's default parent-based sampler, a call inside a trace that is not sampled
 * follows its parent's decision without asking the SDK ({@link UnsampledParents}): it starts no
 * span, records nothing and allocates nothing, and its parent's context is what goes downstream
 * (so the services after it see the same "not sampled" trace and do not start traces of their own).
 */
final class CallSpanStage implements Stage {
    static final AttributeKey<String> CHAIN = AttributeKey.stringKey("bulwark.chain");
    static final AttributeKey<Long> ATTEMPTS = AttributeKey.longKey("bulwark.attempts");

    private final Tracer tracer;
    private final UnsampledParents unsampled;

    CallSpanStage(Tracer tracer, UnsampledParents unsampled) {
        this.tracer = tracer;
        this.unsampled = unsampled;
    }

    @Override
    public StageKind kind() {
        return StageKind.TRACE;
    }

    @Override
    public String name() {
        return "trace";
    }

    @Override
    public Object call(Invocation invocation) throws Exception {
        Context parent = parentOf(invocation.context());
        if (unsampled.skip(parent)) {
            // Same thread to the end: the attempts and the transports find the parent where this found it.
            return invocation.proceed();
        }
        Span span = start(invocation, parent);
        if (!span.isRecording()) {
            // Unsampled: the trace still goes downstream, but nothing is recorded, so no CallSpan,
            // no attribute and no outcome.
            try {
                return invocation.proceed(traced(invocation.context(), parent, span));
            } finally {
                span.end();
            }
        }
        CallSpan call = new CallSpan(span);
        try {
            Object result = invocation.proceed(traced(invocation.context(), parent, span).with(CallTracing.CALL_SPAN, call));
            succeeded(call);
            return result;
        } catch (Exception | Error e) {
            Decisions.failed(span, e);
            throw e;
        } finally {
            span.end();
        }
    }

    @Override
    public CompletableFuture<Object> callAsync(Invocation invocation) {
        Context parent = parentOf(invocation.context());
        if (unsampled.skip(parent)) {
            // Attempts may run on other threads, where the current context is not this one: carry it in the call's.
            CallContext context = invocation.context();
            return context.get(CallTracing.OTEL_CONTEXT) != null ? invocation.proceedAsync()
                    : invocation.proceedAsync(context.with(CallTracing.OTEL_CONTEXT, parent));
        }
        Span span = start(invocation, parent);
        CallSpan call = span.isRecording() ? new CallSpan(span) : null;
        CallContext traced = traced(invocation.context(), parent, span);
        CompletableFuture<Object> inner = invocation.proceedAsync(call == null ? traced : traced.with(CallTracing.CALL_SPAN, call));
        inner.whenComplete((result, error) -> {
            if (call != null) {
                if (error == null) {
                    succeeded(call);
                } else {
                    Decisions.failed(span, Errors.unwrapCompletion(error));
                }
            }
            span.end();
        });
        return inner;
    }

    private static Context parentOf(CallContext context) {
        Context parent = context.get(CallTracing.OTEL_CONTEXT);
        return parent != null ? parent : Context.current();
    }

    private Span start(Invocation invocation, Context parent) {
        Span span = tracer.spanBuilder(invocation.chain()).setParent(parent).startSpan();
        if (span.isRecording()) {
            span.setAttribute(CHAIN, invocation.chain()); // set after sampling: an unsampled call builds no attributes
        }
        return span;
    }

    /** The call's context carrying the span's OpenTelemetry context, for what follows and for {@link CallTracing#traceId}. */
    private static CallContext traced(CallContext context, Context parent, Span span) {
        return context.with(CallTracing.OTEL_CONTEXT, parent.with(span));
    }

    /** A call that ended well; if its last attempt failed, a fallback or a stale answer covered for it. */
    private static void succeeded(CallSpan call) {
        if (!call.span.isRecording()) {
            return;
        }
        call.span.setAttribute(ATTEMPTS, call.attempts);
        Throwable last = call.lastError;
        if (last != null) {
            call.span.addEvent("bulwark.fallback", Attributes.of(Decisions.POLICY, last.getClass().getSimpleName()));
        }
    }
}
