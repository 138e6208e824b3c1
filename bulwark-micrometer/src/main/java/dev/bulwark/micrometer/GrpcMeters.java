package dev.bulwark.micrometer;

import dev.bulwark.internal.Check;
import dev.bulwark.time.Ticker;
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
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Per-method meters of gRPC calls, for the client side (a {@link ClientInterceptor}) and the
 * server side (a {@link ServerInterceptor}): timers {@code bulwark.grpc.client.requests} and
 * {@code bulwark.grpc.server.requests} with a percentile histogram, tagged {@code service},
 * {@code method} and {@code status} (the gRPC status code's name; errors by status are the series
 * whose {@code status} is not {@code OK}), and gauges {@code bulwark.grpc.client.requests.active}
 * and {@code bulwark.grpc.server.requests.active} of the calls in flight now, by {@code service} and
 * {@code method}.
 *
 * <pre>{@code
 * GrpcMeters meters = GrpcMeters.create(meterRegistry);
 * Channel metered = ClientInterceptors.intercept(channel, meters.clientInterceptor());
 * // on the server: BulwarkServer.builder(...).interceptor(meters.serverInterceptor())
 * }</pre>
 *
 * <p>Why not Micrometer's own gRPC interceptors: their tag keys are camelCase
 * ({@code methodType}, {@code statusCode}), which Prometheus's linter rejects, and they do not
 * count calls in flight. The names here are Bulwark's, so both can share a registry.
 *
 * <p>A client call is timed from its start to its close; a server call from its arrival to the
 * status it sent, or to its cancellation ({@code CANCELLED}) when the client went away first.
 * Every tag comes from the method's descriptor or the status code, so the series are bounded by
 * the services' methods; the {@code OK} series of a method exists from its first call. A rejection
 * by Bulwark's client policies (breaker open, limiter) ends the call with its status
 * ({@code UNAVAILABLE}, {@code RESOURCE_EXHAUSTED}) and is counted there. For the server as a whole
 * (refusals by kind, connections, buffers) see {@link GrpcServerMeters}. After the first call of a
 * (method, status), recording allocates only the call's wrappers and takes no lock. Needs
 * bulwark-grpc's dependency, grpc-api, on the class path. Thread-safe. Make one per registry and share it: a second one on the same
 * registry would find the in-flight gauges already registered to the first one's counts.
 */
public final class GrpcMeters {
    static final String CLIENT_REQUESTS = "bulwark.grpc.client.requests";
    static final String SERVER_REQUESTS = "bulwark.grpc.server.requests";
    private static final Status.Code[] CODES = Status.Code.values();

    private final MeterRegistry registry;
    private final HistogramRange range;
    private final Ticker ticker;
    private final Map<String, MethodMeters> client = new ConcurrentHashMap<>();
    private final Map<String, MethodMeters> server = new ConcurrentHashMap<>();

    private GrpcMeters(Builder b) {
        this.registry = b.registry;
        this.range = b.range;
        this.ticker = b.ticker;
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
                return new MeteredClientCall<>(next.newCall(method, options), meters(client, CLIENT_REQUESTS, method));
            }
        };
    }

    /** Meters the calls handled by the services it intercepts. */
    public ServerInterceptor serverInterceptor() {
        return new ServerInterceptor() {
            @Override
            public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
                    ServerCallHandler<ReqT, RespT> next) {
                MeteredServerCall<ReqT, RespT> metered =
                        new MeteredServerCall<>(call, meters(server, SERVER_REQUESTS, call.getMethodDescriptor()));
                ServerCall.Listener<ReqT> listener;
                try {
                    listener = next.startCall(metered, headers);
                } catch (RuntimeException | Error e) {
                    metered.finish(Status.Code.UNKNOWN);
                    metered.meters.active.decrementAndGet();
                    throw e;
                }
                return new MeteredServerListener<>(listener, metered);
            }
        };
    }

    private MethodMeters meters(Map<String, MethodMeters> side, String name, MethodDescriptor<?, ?> method) {
        MethodMeters meters = side.get(method.getFullMethodName());
        if (meters != null) {
            return meters;
        }
        return side.computeIfAbsent(method.getFullMethodName(), full -> new MethodMeters(name,
                Tags.of("service", String.valueOf(method.getServiceName()), "method", String.valueOf(method.getBareMethodName()))));
    }

    /** The meters of one method on one side: its in-flight count and a timer per status, each made on first use. */
    private final class MethodMeters {
        private final String name;
        private final Tags tags;
        private final AtomicInteger active = new AtomicInteger();
        private final AtomicReferenceArray<Timer> byStatus = new AtomicReferenceArray<>(CODES.length);

        MethodMeters(String name, Tags tags) {
            this.name = name;
            this.tags = tags;
            Gauge.builder(name + ".active", active, AtomicInteger::get)
                    .description(name.startsWith("bulwark.grpc.client") ? "Client calls started and not yet closed"
                            : "Server calls being handled")
                    .tags(tags).strongReference(true).register(registry);
            timer(Status.Code.OK);
        }

        void record(Status.Code code, long startNanos) {
            timer(code).record(Math.max(0, ticker.read() - startNanos), TimeUnit.NANOSECONDS);
        }

        private Timer timer(Status.Code code) {
            Timer timer = byStatus.get(code.ordinal());
            if (timer != null) {
                return timer;
            }
            // Registering is idempotent in Micrometer, so two threads racing here get the same timer.
            byStatus.compareAndSet(code.ordinal(), null, range.applyTo(Timer.builder(name)
                    .description("gRPC calls by service, method and status")
                    .tags(tags.and("status", code.name())))
                    .register(registry));
            return byStatus.get(code.ordinal());
        }
    }

    /** Counts a client call from its start until its listener hears it close, and times it by status. */
    private final class MeteredClientCall<ReqT, RespT> extends ForwardingClientCall.SimpleForwardingClientCall<ReqT, RespT> {
        private final MethodMeters meters;

        MeteredClientCall(ClientCall<ReqT, RespT> delegate, MethodMeters meters) {
            super(delegate);
            this.meters = meters;
        }

        @Override
        public void start(Listener<RespT> listener, Metadata headers) {
            long start = ticker.read();
            meters.active.incrementAndGet();
            try {
                super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
                    @Override
                    public void onClose(Status status, Metadata trailers) {
                        meters.active.decrementAndGet();
                        meters.record(status.getCode(), start);
                        super.onClose(status, trailers);
                    }
                }, headers);
            } catch (RuntimeException | Error e) {
                meters.active.decrementAndGet();
                throw e;
            }
        }
    }

    /** A server call timed until the status it sends; {@link #finish} records it once. */
    private final class MeteredServerCall<ReqT, RespT> extends ForwardingServerCall.SimpleForwardingServerCall<ReqT, RespT> {
        final MethodMeters meters;
        private final long start = ticker.read();
        private final AtomicBoolean finished = new AtomicBoolean();

        MeteredServerCall(ServerCall<ReqT, RespT> delegate, MethodMeters meters) {
            super(delegate);
            this.meters = meters;
            meters.active.incrementAndGet();
        }

        @Override
        public void close(Status status, Metadata trailers) {
            finish(status.getCode());
            super.close(status, trailers);
        }

        void finish(Status.Code code) {
            if (finished.compareAndSet(false, true)) {
                meters.record(code, start);
            }
        }
    }

    /** Ends a server call's count when it completes or is cancelled (gRPC calls exactly one of the two). */
    private static final class MeteredServerListener<ReqT> extends ForwardingServerCallListener.SimpleForwardingServerCallListener<ReqT> {
        private final MeteredServerCall<ReqT, ?> call;

        MeteredServerListener(ServerCall.Listener<ReqT> delegate, MeteredServerCall<ReqT, ?> call) {
            super(delegate);
            this.call = call;
        }

        @Override
        public void onComplete() {
            call.meters.active.decrementAndGet();
            super.onComplete();
        }

        @Override
        public void onCancel() {
            call.finish(Status.Code.CANCELLED); // the client went away before the handler sent a status
            call.meters.active.decrementAndGet();
            super.onCancel();
        }
    }

    /** Builds {@link GrpcMeters}. */
    public static final class Builder extends TimedMetersBuilder<Builder> {
        private Builder(MeterRegistry registry) {
            super(registry);
        }

        public GrpcMeters build() {
            return new GrpcMeters(this);
        }
    }
}
