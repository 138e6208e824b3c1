package dev.bulwark.opentelemetry;

import dev.bulwark.CallContext;
import dev.bulwark.call.ChainBuilder;
import dev.bulwark.call.Stage;
import dev.bulwark.internal.Check;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;

/**
 * Traces Bulwark's one call path with OpenTelemetry: a span for each call (outermost, so it
 * covers the fallback, every retry and every rejection) and a child span for each attempt (with
 * its number and endpoint), and the resilience decisions as events on them, with low-cardinality
 * attributes: a breaker, limiter or bulkhead that refused the call, a retry and the delay before
 * it, a failover from one endpoint to another, a timeout, retries or their budget running out, a
 * fallback answering. {@link #traceId(CallContext)} gives the caller's own code its trace id.
 *
 * <pre>{@code
 * CallTracing tracing = CallTracing.create(GlobalOpenTelemetry.get());
 * ClientPool<URI> traced = tracing.applyTo(ClientPool.<URI>builder("users")
 *         .retry(Retry.builder("users").maxAttempts(3).build()))
 *     .build();
 * String traceId = traced.call((client, endpoint, ctx) -> CallTracing.traceId(ctx));
 * }</pre>
 */
public final class CallTracing {
    /**
     * The OpenTelemetry context of the innermost span open for the call (its attempt's, after the
     * pick): a transport propagates it ({@code traceparent}); a caller may put a parent here.
     */
    public static final CallContext.Key<Context> OTEL_CONTEXT = CallContext.key("bulwark.otelContext");

    static final CallContext.Key<CallSpan> CALL_SPAN = CallContext.key("bulwark.callSpan");

    private final Tracer tracer;
    private final UnsampledParents unsampled;

    private CallTracing(Tracer tracer, UnsampledParents unsampled) {
        this.tracer = tracer;
        this.unsampled = unsampled;
    }

    /**
     * The trace id (32 hex digits) of the call whose context this is, sampled or not, for logs and
     * error reports; empty outside any trace. It comes from the context's {@link #OTEL_CONTEXT},
     * else from OpenTelemetry's current context.
     */
    public static String traceId(CallContext context) {
        Context trace = Check.notNull("context", context).get(OTEL_CONTEXT);
        SpanContext span = Span.fromContext(trace != null ? trace : Context.current()).getSpanContext();
        return span.isValid() ? span.getTraceId() : "";
    }

    /** Tracing on {@code openTelemetry}'s tracer provider. */
    public static CallTracing create(OpenTelemetry openTelemetry) {
        Check.notNull("openTelemetry", openTelemetry);
        return new CallTracing(openTelemetry.getTracer("dev.bulwark"), UnsampledParents.of(openTelemetry));
    }

    /** The stage of the call's span; it takes the outermost place in a chain. */
    public Stage callStage() {
        return new CallSpanStage(tracer, unsampled);
    }

    /** The stage of each attempt's span; it runs after the pick, so it knows the endpoint. */
    public Stage attemptStage() {
        return new AttemptSpanStage(tracer);
    }

    /** Adds both stages to {@code chain} (a pool or pipeline builder) and returns it. */
    public <B extends ChainBuilder<B>> B applyTo(B chain) {
        return Check.notNull("chain", chain).stage(callStage()).stage(attemptStage());
    }
}
