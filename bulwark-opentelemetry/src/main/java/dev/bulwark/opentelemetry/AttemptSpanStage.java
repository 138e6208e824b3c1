package dev.bulwark.opentelemetry;

import dev.bulwark.CallContext;
import dev.bulwark.balance.Endpoint;
import dev.bulwark.call.Invocation;
import dev.bulwark.call.Stage;
import dev.bulwark.call.StageKind;
import dev.bulwark.internal.Errors;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One attempt's span, a child of the call's, after the pick: it names the attempt and its
 * endpoint. An attempt after the first adds to the call's span a retry event (the delay since the
 * attempt before ended, and why it failed) and, when the endpoint changed, a failover event.
 */
final class AttemptSpanStage implements Stage {
    static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("bulwark.attempt");
    static final AttributeKey<String> ENDPOINT = AttributeKey.stringKey("bulwark.endpoint");
    static final AttributeKey<Long> DELAY_MS = AttributeKey.longKey("bulwark.delay_ms");
    static final AttributeKey<String> REASON = AttributeKey.stringKey("bulwark.reason");
    static final AttributeKey<String> FROM = AttributeKey.stringKey("bulwark.from");
    static final AttributeKey<String> TO = AttributeKey.stringKey("bulwark.to");

    private final Tracer tracer;

    AttemptSpanStage(Tracer tracer) {
        this.tracer = tracer;
    }

    @Override
    public StageKind kind() {
        return StageKind.CUSTOM;
    }

    @Override
    public String name() {
        return "trace attempts";
    }

    @Override
    public Object call(Invocation invocation) throws Exception {
        CallSpan call = invocation.context().get(CallTracing.CALL_SPAN);
        if (call == null) {
            return invocation.proceed();
        }
        Span span = start(invocation, call);
        try {
            Object result = invocation.proceed(withSpan(invocation.context(), span));
            ended(call, invocation.endpoint(), null);
            return result;
        } catch (Exception | Error e) {
            Decisions.failed(span, e);
            ended(call, invocation.endpoint(), Errors.unwrap(e));
            throw e;
        } finally {
            span.end();
        }
    }

    @Override
    public CompletableFuture<Object> callAsync(Invocation invocation) {
        CallSpan call = invocation.context().get(CallTracing.CALL_SPAN);
        if (call == null) {
            return invocation.proceedAsync();
        }
        Span span = start(invocation, call);
        Endpoint endpoint = invocation.endpoint();
        CompletableFuture<Object> inner = invocation.proceedAsync(withSpan(invocation.context(), span));
        inner.whenComplete((result, error) -> {
            if (error != null) {
                Throwable e = Errors.unwrapCompletion(error);
                Decisions.failed(span, e);
                ended(call, endpoint, e);
            } else {
                ended(call, endpoint, null);
            }
            span.end();
        });
        return inner;
    }

    private Span start(Invocation invocation, CallSpan call) {
        int attempt = invocation.attempt();
        Endpoint endpoint = invocation.endpoint();
        String at = endpoint == null ? null : endpoint.name();
        call.attempts = attempt;
        if (attempt > 1 && call.lastError != null) {
            long delayMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - call.lastEndNanos);
            call.span.addEvent("bulwark.retry", Attributes.of(ATTEMPT, (long) attempt, DELAY_MS, delayMs,
                    REASON, call.lastError.getClass().getSimpleName()));
            if (at != null && call.lastEndpoint != null && !at.equals(call.lastEndpoint)) {
                call.span.addEvent("bulwark.failover", Attributes.of(FROM, call.lastEndpoint, TO, at));
            }
        }
        Context parent = invocation.context().get(CallTracing.OTEL_CONTEXT);
        var builder = tracer.spanBuilder("attempt " + attempt)
                .setParent(parent != null ? parent : Context.current().with(call.span))
                .setSpanKind(SpanKind.CLIENT)
                .setAttribute(ATTEMPT, (long) attempt);
        if (at != null) {
            builder.setAttribute(ENDPOINT, at);
        }
        return builder.startSpan();
    }

    private static CallContext withSpan(CallContext context, Span span) {
        Context parent = context.get(CallTracing.OTEL_CONTEXT);
        return context.with(CallTracing.OTEL_CONTEXT, (parent != null ? parent : Context.current()).with(span));
    }

    private static void ended(CallSpan call, Endpoint endpoint, Throwable error) {
        call.lastEndpoint = endpoint == null ? null : endpoint.name();
        call.lastEndNanos = System.nanoTime();
        call.lastError = error;
    }
}
