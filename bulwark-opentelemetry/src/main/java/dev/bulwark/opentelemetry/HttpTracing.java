package dev.bulwark.opentelemetry;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import dev.bulwark.http.RequestDecorator;
import dev.bulwark.http.ServiceClient;
import dev.bulwark.internal.Check;
import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapPropagator;
import java.io.IOException;
import java.util.List;

/**
 * Carries traces over HTTP: a {@link RequestDecorator} for Bulwark's service client that sends
 * each attempt's trace context ({@code traceparent}) with it, and a filter for the JDK's HTTP
 * server that continues the caller's trace in a server span, current while the handler runs.
 *
 * <pre>{@code
 * ServiceClient client = HttpTracing.create(GlobalOpenTelemetry.get()).applyTo(ServiceClient.builder(discovery)).build();
 * }</pre>
 */
public final class HttpTracing {
    static final AttributeKey<String> METHOD = AttributeKey.stringKey("http.request.method");
    static final AttributeKey<String> ROUTE = AttributeKey.stringKey("url.path");
    static final AttributeKey<Long> STATUS = AttributeKey.longKey("http.response.status_code");

    private static final TextMapGetter<HttpExchange> GETTER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(HttpExchange carrier) {
            return carrier.getRequestHeaders().keySet();
        }

        @Override
        public String get(HttpExchange carrier, String key) {
            List<String> values = carrier == null ? null : carrier.getRequestHeaders().get(key);
            return values == null || values.isEmpty() ? null : values.get(0);
        }
    };

    private final Tracer tracer;
    private final UnsampledParents unsampled;
    private final TextMapPropagator propagator;
    private final CallTracing calls;

    private HttpTracing(OpenTelemetry otel) {
        this.tracer = otel.getTracer("dev.bulwark.http");
        this.unsampled = UnsampledParents.of(otel);
        this.propagator = otel.getPropagators().getTextMapPropagator();
        this.calls = CallTracing.create(otel);
    }

    /** Traces a service client: a span per call and per attempt, each attempt's context sent with its request. */
    public ServiceClient.Builder applyTo(ServiceClient.Builder client) {
        return Check.notNull("client", client).stage(calls.callStage()).stage(calls.attemptStage())
                .requestDecorator(requestDecorator());
    }

    public static HttpTracing create(OpenTelemetry openTelemetry) {
        return new HttpTracing(Check.notNull("openTelemetry", openTelemetry));
    }

    /** Sends the attempt's trace context (from {@link CallTracing}'s stages, else the current one) with the request. */
    public RequestDecorator requestDecorator() {
        return (context, request) -> {
            Context trace = context.get(CallTracing.OTEL_CONTEXT);
            propagator.inject(trace != null ? trace : Context.current(), request, (r, key, value) -> r.setHeader(key, value));
        };
    }

    /** Continues the caller's trace in a server span around each exchange. */
    public Filter serverFilter() {
        return new Filter() {
            @Override
            public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
                Context remote = propagator.extract(Context.root(), exchange, GETTER);
                if (unsampled.skip(remote)) {
                    try (Scope ignored = remote.makeCurrent()) { // an unsampled caller: its context, no span of our own
                        chain.doFilter(exchange);
                    }
                    return;
                }
                Span span = tracer.spanBuilder(exchange.getRequestMethod() + " " + exchange.getHttpContext().getPath())
                        .setSpanKind(SpanKind.SERVER).setParent(remote)
                        .setAttribute(METHOD, exchange.getRequestMethod())
                        .setAttribute(ROUTE, exchange.getRequestURI().getPath())
                        .startSpan();
                try (Scope ignored = remote.with(span).makeCurrent()) {
                    chain.doFilter(exchange);
                } catch (IOException | RuntimeException e) {
                    span.recordException(e);
                    span.setStatus(StatusCode.ERROR);
                    throw e;
                } finally {
                    int status = exchange.getResponseCode();
                    span.setAttribute(STATUS, (long) status);
                    if (status >= 500) {
                        span.setStatus(StatusCode.ERROR);
                    }
                    span.end();
                }
            }

            @Override
            public String description() {
                return "OpenTelemetry server spans";
            }
        };
    }
}
