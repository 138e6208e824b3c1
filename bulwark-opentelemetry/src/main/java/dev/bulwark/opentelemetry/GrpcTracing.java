package dev.bulwark.opentelemetry;

import dev.bulwark.internal.Check;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.ForwardingServerCall;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
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
import io.opentelemetry.context.propagation.TextMapSetter;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Traces gRPC calls with OpenTelemetry, on both sides, and carries the trace between them in the
 * call's metadata (W3C {@code traceparent}/{@code tracestate} by default; whatever propagators
 * the OpenTelemetry instance has, B3 among them). Spans carry the semantic-convention attributes
 * {@code rpc.system}, {@code rpc.service}, {@code rpc.method} and {@code rpc.grpc.status_code}.
 * A server handler runs in its span's context, so the calls it makes are its children. A call in a
 * trace its root did not sample starts no span on either side, and its trace context goes on as it came.
 *
 * <pre>{@code
 * GrpcTracing tracing = GrpcTracing.create(GlobalOpenTelemetry.get());
 * Channel traced = ClientInterceptors.intercept(channel, tracing.clientInterceptor());
 * BulwarkServer server = BulwarkServer.builder().service(userService).interceptor(tracing.serverInterceptor()).build();
 * }</pre>
 */
public final class GrpcTracing {
    static final AttributeKey<String> RPC_SYSTEM = AttributeKey.stringKey("rpc.system");
    static final AttributeKey<String> RPC_SERVICE = AttributeKey.stringKey("rpc.service");
    static final AttributeKey<String> RPC_METHOD = AttributeKey.stringKey("rpc.method");
    static final AttributeKey<Long> RPC_STATUS = AttributeKey.longKey("rpc.grpc.status_code");

    private static final TextMapSetter<Metadata> SETTER = (metadata, key, value) ->
            metadata.put(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER), value);
    private static final TextMapGetter<Metadata> GETTER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Metadata carrier) {
            return carrier.keys();
        }

        @Override
        public String get(Metadata carrier, String key) {
            return carrier == null ? null : carrier.get(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER));
        }
    };

    private final Tracer tracer;
    private final UnsampledParents unsampled;
    private final TextMapPropagator propagator;

    private GrpcTracing(OpenTelemetry otel) {
        this.tracer = otel.getTracer("dev.bulwark.grpc");
        this.unsampled = UnsampledParents.of(otel);
        this.propagator = otel.getPropagators().getTextMapPropagator();
    }

    public static GrpcTracing create(OpenTelemetry openTelemetry) {
        return new GrpcTracing(Check.notNull("openTelemetry", openTelemetry));
    }

    /** A client span per call, its context sent in the call's metadata. */
    public ClientInterceptor clientInterceptor() {
        return new ClientInterceptor() {
            @Override
            public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(MethodDescriptor<ReqT, RespT> method,
                    CallOptions options, Channel next) {
                Context current = Context.current();
                if (unsampled.skip(current)) {
                    return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
                        @Override
                        public void start(Listener<RespT> listener, Metadata headers) {
                            propagator.inject(current, headers, SETTER); // "not sampled" goes on; no span of its own
                            super.start(listener, headers);
                        }
                    };
                }
                Span span = start(method, SpanKind.CLIENT, current);
                Context withSpan = current.with(span);
                return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
                    @Override
                    public void start(Listener<RespT> listener, Metadata headers) {
                        propagator.inject(withSpan, headers, SETTER);
                        super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
                            @Override
                            public void onClose(Status status, Metadata trailers) {
                                end(span, status);
                                super.onClose(status, trailers);
                            }
                        }, headers);
                    }
                };
            }
        };
    }

    /** A server span per call, a child of the caller's when its metadata carries one; the handler runs in it. */
    public ServerInterceptor serverInterceptor() {
        return new ServerInterceptor() {
            @Override
            public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
                    ServerCallHandler<ReqT, RespT> next) {
                Context remote = propagator.extract(Context.root(), headers, GETTER);
                boolean skip = unsampled.skip(remote);
                Span span = skip ? Span.getInvalid() : start(call.getMethodDescriptor(), SpanKind.SERVER, remote);
                Context mine = skip ? remote : remote.with(span); // an unsampled caller: its context, no span of our own
                AtomicBoolean ended = new AtomicBoolean();
                ServerCall<ReqT, RespT> closing = new ForwardingServerCall.SimpleForwardingServerCall<>(call) {
                    @Override
                    public void close(Status status, Metadata trailers) {
                        if (ended.compareAndSet(false, true)) {
                            end(span, status);
                        }
                        super.close(status, trailers);
                    }
                };
                ServerCall.Listener<ReqT> listener;
                try (Scope ignored = mine.makeCurrent()) {
                    listener = next.startCall(closing, headers);
                }
                return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
                    @Override
                    public void onMessage(ReqT message) {
                        try (Scope ignored = mine.makeCurrent()) {
                            super.onMessage(message);
                        }
                    }

                    @Override
                    public void onHalfClose() {
                        try (Scope ignored = mine.makeCurrent()) {
                            super.onHalfClose();
                        }
                    }

                    @Override
                    public void onReady() {
                        try (Scope ignored = mine.makeCurrent()) {
                            super.onReady();
                        }
                    }

                    @Override
                    public void onCancel() {
                        try (Scope ignored = mine.makeCurrent()) {
                            super.onCancel();
                        } finally {
                            if (ended.compareAndSet(false, true)) {
                                end(span, Status.CANCELLED);
                            }
                        }
                    }

                    @Override
                    public void onComplete() {
                        try (Scope ignored = mine.makeCurrent()) {
                            super.onComplete();
                        }
                    }
                };
            }
        };
    }

    private Span start(MethodDescriptor<?, ?> method, SpanKind kind, Context parent) {
        String service = method.getServiceName();
        String name = method.getBareMethodName();
        return tracer.spanBuilder(method.getFullMethodName()).setSpanKind(kind).setParent(parent)
                .setAttribute(RPC_SYSTEM, "grpc")
                .setAttribute(RPC_SERVICE, service == null ? "" : service)
                .setAttribute(RPC_METHOD, name == null ? "" : name)
                .startSpan();
    }

    private static void end(Span span, Status status) {
        span.setAttribute(RPC_STATUS, (long) status.getCode().value());
        if (!status.isOk()) {
            span.setStatus(StatusCode.ERROR, status.getCode().name());
        }
        span.end();
    }
}
