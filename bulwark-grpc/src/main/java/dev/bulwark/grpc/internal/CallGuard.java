package dev.bulwark.grpc.internal;

import dev.bulwark.bulkhead.Bulkhead;
import dev.bulwark.grpc.GrpcStatuses;
import dev.bulwark.grpc.server.ServerProtection;
import dev.bulwark.ratelimit.RateLimitedException;
import dev.bulwark.ratelimit.RateLimiter;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Deadline;
import io.grpc.ForwardingServerCallListener;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Every call a Bulwark server takes passes here first: its rate limits (overall, per method, per
 * key), its concurrency caps (server-wide, per method) and its deadline cap, then the counters of
 * {@link ServerMetrics}. A permit taken is given back exactly once, whichever comes first: the call
 * closing, its handler completing or being cancelled, its handler failing to start, or its stream
 * closing. The last is heard by a stream tracer on the transport's own thread, so an executor that
 * rejects the call's later work (its half-close, its cancellation: grpc-java then drops them)
 * cannot keep a permit.
 */
public final class CallGuard implements ServerInterceptor {
    private static final Executor DIRECT = Runnable::run;
    private static final Context.Key<StreamEnd> STREAM_END = Context.key("bulwark.streamEnd");

    /** Hears a stream close on the transport's thread; the guard hands it the call's permits. */
    static final class StreamEnd extends io.grpc.ServerStreamTracer {
        private Permits permits;
        private Status closed;

        @Override
        public Context filterContext(Context context) {
            return context.withValue(STREAM_END, this);
        }

        @Override
        public void streamClosed(Status status) {
            Permits held;
            synchronized (this) {
                closed = status;
                held = permits;
            }
            if (held != null) {
                held.status(status);
                held.release(status.isOk());
            }
        }

        void hold(Permits call) {
            Status already;
            synchronized (this) {
                permits = call;
                already = closed;
            }
            if (already != null) {
                call.release(already.isOk());
            }
        }
    }

    /** Gives each server stream the tracer that ends its permits; install it on the server. */
    public static io.grpc.ServerStreamTracer.Factory streamEnds() {
        return new io.grpc.ServerStreamTracer.Factory() {
            @Override
            public io.grpc.ServerStreamTracer newServerStreamTracer(String fullMethodName, Metadata headers) {
                return new StreamEnd();
            }
        };
    }

    private final ServerProtection protection;
    private final ServerMetrics metrics;
    private final ScheduledExecutorService timer;

    public CallGuard(ServerProtection protection, ServerMetrics metrics, ScheduledExecutorService timer) {
        this.protection = protection;
        this.metrics = metrics;
        this.timer = timer;
    }

    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
            ServerCallHandler<ReqT, RespT> next) {
        String method = call.getMethodDescriptor().getFullMethodName();
        Bulkhead server = null;
        Bulkhead perMethod = null;
        if (protection != null) {
            if (!admitRate(call, method, headers)) {
                return new ServerCall.Listener<>() { };
            }
            server = protection.concurrency();
            if (server != null && !server.tryAcquirePermission()) {
                return refuse(call, "concurrency", Status.RESOURCE_EXHAUSTED.withDescription("server at its limit of "
                        + server.config().maxConcurrent() + " concurrent calls (maxConcurrentCalls)"), -1);
            }
            perMethod = protection.methodConcurrency().get(method);
            if (perMethod != null && !perMethod.tryAcquirePermission()) {
                if (server != null) {
                    server.release();
                }
                return refuse(call, "concurrency:" + method, Status.RESOURCE_EXHAUSTED.withDescription(method + " at its limit of "
                        + perMethod.config().maxConcurrent() + " concurrent calls (maxConcurrentCalls[" + method + "])"), -1);
            }
        }
        Permits permits = new Permits(server, perMethod, metrics, System.nanoTime());
        metrics.started();
        StreamEnd streamEnd = STREAM_END.get();
        if (streamEnd != null) {
            streamEnd.hold(permits);
        }
        ServerCall<ReqT, RespT> guarded = new ClosingCall<>(call, permits);
        Context context = Context.current();
        Context.CancellableContext capped = null;
        if (protection != null && protection.maxDeadline() != null) {
            Deadline cap = Deadline.after(protection.maxDeadline().toNanos(), TimeUnit.NANOSECONDS);
            Deadline own = context.getDeadline();
            if (own == null || cap.isBefore(own)) {
                capped = context.withDeadline(cap, timer);
                Context.CancellableContext deadline = capped;
                capped.addListener(c -> {
                    if (deadline.getDeadline() != null && deadline.getDeadline().isExpired()) {
                        ((ClosingCall<ReqT, RespT>) guarded).closeIfOpen(Status.DEADLINE_EXCEEDED.withDescription(
                                "the server's limit of " + protection.maxDeadline().toMillis() + " ms a call (maxDeadline)"), new Metadata());
                    }
                }, DIRECT);
                permits.onRelease(() -> deadline.cancel(null));
                context = capped;
            }
        }
        // A cancelled or broken call cancels its context on the transport's thread: release there too.
        context.addListener(c -> permits.release(false), DIRECT);
        ServerCall.Listener<ReqT> listener;
        try {
            listener = capped == null ? next.startCall(guarded, headers) : Contexts.interceptCall(capped, guarded, headers, next);
        } catch (RuntimeException | Error e) {
            permits.release(false);
            throw e;
        }
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
            @Override
            public void onComplete() {
                try {
                    super.onComplete();
                } finally {
                    permits.release(true);
                }
            }

            @Override
            public void onCancel() {
                try {
                    super.onCancel();
                } finally {
                    permits.release(false);
                }
            }
        };
    }

    /** The most specific limit first, so a call one of them refuses costs the broader ones nothing. */
    private boolean admitRate(ServerCall<?, ?> call, String method, Metadata headers) {
        if (protection.keyedRateLimit() != null) {
            String key = keyOf(call, headers);
            if (!protection.keyedRateLimit().tryAcquire(key)) {
                refuseRate(call, "rate:key", protection.keyedRateLimit().rejection(key));
                return false;
            }
        }
        RateLimiter perMethod = protection.methodRateLimits().get(method);
        if (perMethod != null && !perMethod.tryAcquire()) {
            refuseRate(call, "rate:" + method, perMethod.rejection());
            return false;
        }
        RateLimiter overall = protection.rateLimit();
        if (overall != null && !overall.tryAcquire()) {
            refuseRate(call, "rate", overall.rejection());
            return false;
        }
        return true;
    }

    private String keyOf(ServerCall<?, ?> call, Metadata headers) {
        String value = headers.get(Metadata.Key.of(protection.rateLimitKey(), Metadata.ASCII_STRING_MARSHALLER));
        if (value != null && !value.isBlank()) {
            return "key:" + value;
        }
        SocketAddress remote = call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR);
        return "address:" + (remote instanceof InetSocketAddress inet && inet.getAddress() != null
                ? inet.getAddress().getHostAddress() : String.valueOf(remote));
    }

    private void refuseRate(ServerCall<?, ?> call, String reason, RateLimitedException over) {
        refuse(call, reason, Status.RESOURCE_EXHAUSTED.withDescription(over.getMessage()),
                Math.max(1, TimeUnit.NANOSECONDS.toMillis(over.retryAfterNanos())));
    }

    private <ReqT> ServerCall.Listener<ReqT> refuse(ServerCall<ReqT, ?> call, String reason, Status status, long pushbackMillis) {
        metrics.rejected(reason);
        Metadata trailers = new Metadata();
        if (pushbackMillis >= 0) {
            trailers.put(GrpcStatuses.RETRY_PUSHBACK, Long.toString(pushbackMillis));
        }
        call.close(status, trailers);
        return new ServerCall.Listener<>() { };
    }

    /** The permits one call holds, given back once. */
    static final class Permits {
        private final Bulkhead server;
        private final Bulkhead method;
        private final ServerMetrics metrics;
        private final long startNanos;
        private final AtomicBoolean released = new AtomicBoolean();
        private volatile boolean ok = true;
        private volatile Runnable alsoOnRelease;

        Permits(Bulkhead server, Bulkhead method, ServerMetrics metrics, long startNanos) {
            this.server = server;
            this.method = method;
            this.metrics = metrics;
            this.startNanos = startNanos;
        }

        void status(Status status) {
            ok = status.isOk();
        }

        void onRelease(Runnable action) {
            alsoOnRelease = action;
        }

        void release(boolean completed) {
            if (!released.compareAndSet(false, true)) {
                return;
            }
            if (method != null) {
                method.release();
            }
            if (server != null) {
                server.release();
            }
            metrics.ended(completed && ok, System.nanoTime() - startNanos);
            Runnable action = alsoOnRelease;
            if (action != null) {
                action.run();
            }
        }
    }

    /**
     * The call as the handler sees it: its close sets the outcome and releases the permits; the
     * deadline cap may close it from the timer's thread, so close and the handler's sends are
     * serialized here, and whatever comes after the close is dropped.
     */
    static final class ClosingCall<ReqT, RespT> extends io.grpc.ForwardingServerCall.SimpleForwardingServerCall<ReqT, RespT> {
        private final Permits permits;
        private boolean closed;

        ClosingCall(ServerCall<ReqT, RespT> call, Permits permits) {
            super(call);
            this.permits = permits;
        }

        @Override
        public synchronized void sendHeaders(Metadata headers) {
            if (!closed) {
                super.sendHeaders(headers);
            }
        }

        @Override
        public synchronized void sendMessage(RespT message) {
            if (!closed) {
                super.sendMessage(message);
            }
        }

        @Override
        public synchronized void close(Status status, Metadata trailers) {
            if (closed) {
                return;
            }
            closed = true;
            permits.status(status);
            try {
                super.close(status, trailers);
            } finally {
                permits.release(true);
            }
        }

        synchronized void closeIfOpen(Status status, Metadata trailers) {
            close(status, trailers);
        }
    }
}
