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
 */
final class CallSpanStage implements Stage {
    static final AttributeKey<String> CHAIN = AttributeKey.stringKey("bulwark.chain");
    static final AttributeKey<Long> ATTEMPTS = AttributeKey.longKey("bulwark.attempts");

    private final Tracer tracer;

    CallSpanStage(Tracer tracer) {
        this.tracer = tracer;
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
        CallSpan call = start(invocation);
        try {
            Object result = invocation.proceed(withSpan(invocation.context(), call));
            succeeded(call);
            return result;
        } catch (Exception | Error e) {
            Decisions.failed(call.span, e);
            throw e;
        } finally {
            call.span.end();
        }
    }

    @Override
    public CompletableFuture<Object> callAsync(Invocation invocation) {
        CallSpan call = start(invocation);
        CompletableFuture<Object> inner = invocation.proceedAsync(withSpan(invocation.context(), call));
        inner.whenComplete((result, error) -> {
            if (error == null) {
                succeeded(call);
            } else {
                Decisions.failed(call.span, Errors.unwrapCompletion(error));
            }
            call.span.end();
        });
        return inner;
    }

    private CallSpan start(Invocation invocation) {
        Context parent = invocation.context().get(CallTracing.OTEL_CONTEXT);
        Span span = tracer.spanBuilder(invocation.chain())
                .setParent(parent != null ? parent : Context.current())
                .setAttribute(CHAIN, invocation.chain())
                .startSpan();
        return new CallSpan(span);
    }

    private static CallContext withSpan(CallContext context, CallSpan call) {
        Context parent = context.get(CallTracing.OTEL_CONTEXT);
        Context mine = (parent != null ? parent : Context.current()).with(call.span);
        CallContext traced = context.with(CallTracing.TRACE_ID, call.span.getSpanContext().getTraceId())
                .with(CallTracing.OTEL_CONTEXT, mine);
        // An unsampled call still carries its trace downstream, but records nothing: no attempt spans, no events.
        return call.span.isRecording() ? traced.with(CallTracing.CALL_SPAN, call) : traced;
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
