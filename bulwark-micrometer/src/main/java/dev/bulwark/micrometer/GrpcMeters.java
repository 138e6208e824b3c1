package dev.bulwark.micrometer;

import dev.bulwark.internal.Check;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.grpc.MetricCollectingClientInterceptor;
import io.micrometer.core.instrument.binder.grpc.MetricCollectingServerInterceptor;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Per-method meters of gRPC calls, for the client side (a {@link ClientInterceptor}) and the
 * server side (a {@link ServerInterceptor}). The counts and latencies are Micrometer's own gRPC
 * instrumentation, so dashboards built for it work unchanged: timers
 * {@code grpc.client.processing.duration} and {@code grpc.server.processing.duration} tagged
 * {@code service}, {@code method}, {@code methodType} and {@code statusCode} (errors by status are
 * the series whose {@code statusCode} is not {@code OK}), and message counters
 * {@code grpc.client.requests.sent}, {@code grpc.client.responses.received},
 * {@code grpc.server.requests.received}, {@code grpc.server.responses.sent}. Bulwark turns on their
 * percentile histogram, clipped to the {@linkplain Builder#expectedDurations expected durations},
 * and adds what they lack: the calls in flight now, gauges {@code grpc.client.calls.active} and
 * {@code grpc.server.calls.active} by {@code service} and {@code method}.
 *
 * <pre>{@code
 * GrpcMeters meters = GrpcMeters.create(meterRegistry);
 * Channel metered = ClientInterceptors.intercept(channel, meters.clientInterceptor());
 * // on the server: BulwarkServer.builder(...).interceptor(meters.serverInterceptor())
 * }</pre>
 *
 * <p>Every tag comes from the method's descriptor or the status code, so the series are bounded
 * by the services' methods. A rejection by Bulwark's client policies (breaker open, limiter) ends
 * the call with its status ({@code UNAVAILABLE}, {@code RESOURCE_EXHAUSTED}) and is counted there.
 * For the server as a whole (refusals by kind, connections, buffers) see {@link GrpcServerMeters}.
 * Needs bulwark-grpc's dependency, grpc-api, on the class path. Thread-safe.
 */
public final class GrpcMeters {
    private final MeterRegistry registry;
    private final ClientInterceptor micrometerClient;
    private final ServerInterceptor micrometerServer;
    private final Map<String, AtomicInteger> clientActive = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> serverActive = new ConcurrentHashMap<>();

    private GrpcMeters(Builder b) {
        this.registry = b.registry;
        HistogramRange range = b.range;
        this.micrometerClient = new MetricCollectingClientInterceptor(registry, counter -> counter, range::applyTo, Status.Code.OK);
        this.micrometerServer = new MetricCollectingServerInterceptor(registry, counter -> counter, range::applyTo, Status.Code.OK);
    }

    /** Meters on {@code registry} with the default histogram range (1 ms to 30 s). */
    public static GrpcMeters create(MeterRegistry registry) {
        return builder(registry).build();
    }

    public static Builder builder(MeterRegistry registry) {
        return new Builder(Check.notNull("registry", registry));
    }

    /** Meters the calls made through the channel it intercepts. */
    public ClientInterceptor clientInterceptor() {
        return new ClientInterceptor() {
            @Override
            public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(MethodDescriptor<ReqT, RespT> method,
                    CallOptions options, Channel next) {
                AtomicInteger active = active(clientActive, "grpc.client.calls.active", "Client calls started and not yet closed",
                        method);
                return new ActiveClientCall<>(micrometerClient.interceptCall(method, options, next), active);
            }
        };
    }

    /** Meters the calls handled by the services it intercepts. */
    public ServerInterceptor serverInterceptor() {
        return new ServerInterceptor() {
            @Override
            public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
                    ServerCallHandler<ReqT, RespT> next) {
                AtomicInteger active = active(serverActive, "grpc.server.calls.active", "Server calls being handled",
                        call.getMethodDescriptor());
                active.incrementAndGet();
                ServerCall.Listener<ReqT> listener;
                try {
                    listener = micrometerServer.interceptCall(call, headers, next);
                } catch (RuntimeException | Error e) {
                    active.decrementAndGet();
                    throw e;
                }
                return new ActiveServerListener<>(listener, active);
            }
        };
    }

    private AtomicInteger active(Map<String, AtomicInteger> byMethod, String name, String description,
            MethodDescriptor<?, ?> method) {
        AtomicInteger active = byMethod.get(method.getFullMethodName());
        if (active != null) {
            return active;
        }
        return byMethod.computeIfAbsent(method.getFullMethodName(), full -> {
            AtomicInteger count = new AtomicInteger();
            Gauge.builder(name, count, AtomicInteger::get).description(description)
                    .tags(Tags.of("service", String.valueOf(method.getServiceName()), "method",
                            String.valueOf(method.getBareMethodName())))
                    .strongReference(true).register(registry);
            return count;
        });
    }

    /** Counts a client call from its start until its listener hears it close. */
    private static final class ActiveClientCall<ReqT, RespT> extends ForwardingClientCall.SimpleForwardingClientCall<ReqT, RespT> {
        private final AtomicInteger active;

        ActiveClientCall(ClientCall<ReqT, RespT> delegate, AtomicInteger active) {
            super(delegate);
            this.active = active;
        }

        @Override
        public void start(Listener<RespT> listener, Metadata headers) {
            active.incrementAndGet();
            try {
                super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
                    @Override
                    public void onClose(Status status, Metadata trailers) {
                        active.decrementAndGet();
                        super.onClose(status, trailers);
                    }
                }, headers);
            } catch (RuntimeException | Error e) {
                active.decrementAndGet();
                throw e;
            }
        }
    }

    /** Counts a server call until it completes or is cancelled (gRPC calls exactly one of the two). */
    private static final class ActiveServerListener<ReqT> extends ForwardingServerCallListener.SimpleForwardingServerCallListener<ReqT> {
        private final AtomicInteger active;

        ActiveServerListener(ServerCall.Listener<ReqT> delegate, AtomicInteger active) {
            super(delegate);
            this.active = active;
        }

        @Override
        public void onComplete() {
            active.decrementAndGet();
            super.onComplete();
        }

        @Override
        public void onCancel() {
            active.decrementAndGet();
            super.onCancel();
        }
    }

    /** Builds {@link GrpcMeters}. */
    public static final class Builder {
        private final MeterRegistry registry;
        private HistogramRange range = HistogramRange.DEFAULT;

        private Builder(MeterRegistry registry) {
            this.registry = registry;
        }

        /**
         * The range of call durations the histograms resolve (default 1 ms to 30 s): buckets outside
         * it are not published, so a narrower range means fewer series per method and status.
         */
        public Builder expectedDurations(Duration min, Duration max) {
            range = HistogramRange.of(min, max);
            return this;
        }

        public GrpcMeters build() {
            return new GrpcMeters(this);
        }
    }
}
