package dev.bulwark.grpc.internal;

import dev.bulwark.grpc.client.ResponseCache;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Answers cached unary calls from a {@link ResponseCache}: a fresh answer at once; otherwise one
 * call per key in flight (later identical calls wait for it), whose OK answer is kept unless the
 * server's {@code cache-control} says not to, and whose failure is answered with a stale answer
 * when the cache keeps them. The shared call runs apart from any one caller's cancellation, so a
 * caller giving up does not fail the others waiting on it.
 */
public final class CachingInterceptor implements ClientInterceptor {
    private static final Metadata.Key<String> CACHE_CONTROL = Metadata.Key.of("cache-control", Metadata.ASCII_STRING_MARSHALLER);

    private final ResponseCache cache;
    private final Executor callbacks;
    private final Map<ResponseCache.Key, CompletableFuture<Outcome>> inFlight = new ConcurrentHashMap<>();

    /** Serves from {@code cache}, running callers' callbacks on {@code callbacks} when their call names no executor. */
    public CachingInterceptor(ResponseCache cache, Executor callbacks) {
        this.cache = cache;
        this.callbacks = callbacks;
    }

    private static io.grpc.Deadline earliest(io.grpc.Deadline a, io.grpc.Deadline b) {
        return a == null ? b : b == null ? a : a.minimum(b);
    }

    /** A shared call's result. */
    private record Outcome(Object response, Status status, Metadata trailers) {
    }

    @Override
    public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(MethodDescriptor<ReqT, RespT> method, CallOptions options,
            Channel next) {
        if (!cache.caches(method)) {
            return next.newCall(method, options);
        }
        return new CachedCall<>(method, options, next);
    }

    /** One caller's unary call: start, request, one message, half-close; answered from the cache or a shared call. */
    private final class CachedCall<ReqT, RespT> extends ClientCall<ReqT, RespT> {
        private final MethodDescriptor<ReqT, RespT> method;
        private final CallOptions options;
        private final Channel next;
        private Listener<RespT> listener;
        private Metadata headers;
        private ReqT request;
        private final java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        private final Context callerContext = Context.current();
        private final Context.CancellationListener callerGaveUp = c -> cancel("the caller's context was cancelled",
                c.cancellationCause());

        CachedCall(MethodDescriptor<ReqT, RespT> method, CallOptions options, Channel next) {
            this.method = method;
            this.options = options;
            this.next = next;
        }

        @Override
        public void start(Listener<RespT> responseListener, Metadata requestHeaders) {
            listener = responseListener;
            headers = requestHeaders;
            callerContext.addListener(callerGaveUp, Runnable::run);
        }

        @Override
        public void request(int numMessages) {
        }

        @Override
        public void sendMessage(ReqT message) {
            request = message;
        }

        @Override
        public void halfClose() {
            ResponseCache.Key key;
            try (InputStream in = method.getRequestMarshaller().stream(request)) {
                key = new ResponseCache.Key(method.getFullMethodName() + cache.keyHeaders(headers), in.readAllBytes());
            } catch (IOException e) {
                deliver(null, Status.INTERNAL.withDescription("cannot serialize the request for the cache").withCause(e), new Metadata());
                return;
            }
            Object fresh = cache.fresh(key);
            if (fresh != null) {
                deliver(fresh, Status.OK, new Metadata());
                return;
            }
            CompletableFuture<Outcome> mine = new CompletableFuture<>();
            CompletableFuture<Outcome> flight = inFlight.putIfAbsent(key, mine);
            if (flight == null) {
                flight = mine;
                Context.ROOT.run(() -> callServer(key, mine));
            } else {
                cache.countJoined();
            }
            CompletableFuture<Outcome> waited = flight;
            io.grpc.Deadline deadline = earliest(options.getDeadline(), callerContext.getDeadline());
            if (deadline != null) {
                // This caller's own deadline: it stops waiting, the shared call goes on for the others.
                waited = flight.copy().orTimeout(Math.max(0, deadline.timeRemaining(TimeUnit.NANOSECONDS)), TimeUnit.NANOSECONDS);
            }
            waited.whenComplete((outcome, error) -> {
                if (error instanceof java.util.concurrent.TimeoutException) {
                    deliver(null, Status.DEADLINE_EXCEEDED.withDescription("deadline passed waiting for an identical call in flight"),
                            new Metadata());
                } else if (error != null) {
                    deliver(null, Status.fromThrowable(error), new Metadata());
                } else if (!outcome.status().isOk()) {
                    Object stale = cache.stale(key);
                    if (stale != null) {
                        deliver(stale, Status.OK, new Metadata());
                    } else {
                        deliver(null, outcome.status(), outcome.trailers());
                    }
                } else {
                    deliver(outcome.response(), Status.OK, outcome.trailers());
                }
            });
        }

        /** The shared call: made once for everyone waiting on {@code key}. */
        private void callServer(ResponseCache.Key key, CompletableFuture<Outcome> flight) {
            // Shared by every caller waiting on it: bound by the cache's flight limit, not by one caller's deadline.
            ClientCall<ReqT, RespT> call = next.newCall(method, options.withExecutor(Runnable::run)
                    .withDeadline(io.grpc.Deadline.after(cache.flightTimeoutNanos(), TimeUnit.NANOSECONDS)));
            Metadata copy = new Metadata();
            copy.merge(headers);
            call.start(new Listener<>() {
                private RespT response;
                private long maxAgeNanos = -1;
                private boolean store = true;

                @Override
                public void onHeaders(Metadata replyHeaders) {
                    String control = replyHeaders.get(CACHE_CONTROL);
                    if (control != null) {
                        for (String directive : control.toLowerCase(Locale.ROOT).split(",")) {
                            String d = directive.trim();
                            if (d.equals("no-store") || d.equals("no-cache") || d.equals("private")) {
                                store = false;
                            } else if (d.startsWith("max-age=")) {
                                try {
                                    maxAgeNanos = TimeUnit.SECONDS.toNanos(Long.parseLong(d.substring(8).trim()));
                                } catch (NumberFormatException ignored) {
                                    store = false; // a server saying something unreadable is not trusted to be cacheable
                                }
                            }
                        }
                    }
                }

                @Override
                public void onMessage(RespT message) {
                    response = message;
                }

                @Override
                public void onClose(Status status, Metadata trailers) {
                    if (status.isOk() && response != null && store && maxAgeNanos != 0) {
                        cache.remember(key, response, maxAgeNanos);
                    }
                    inFlight.remove(key, flight);
                    flight.complete(new Outcome(response, status, trailers));
                }
            }, copy);
            call.request(2);
            call.sendMessage(request);
            call.halfClose();
        }

        @SuppressWarnings("unchecked")
        private void deliver(Object response, Status status, Metadata trailers) {
            Executor executor = options.getExecutor() != null ? options.getExecutor() : callbacks;
            executor.execute(() -> {
                if (!done.compareAndSet(false, true)) {
                    return;
                }
                callerContext.removeListener(callerGaveUp);
                listener.onHeaders(new Metadata());
                if (response != null && status.isOk()) {
                    listener.onMessage((RespT) response);
                }
                listener.onClose(status, trailers);
            });
        }

        @Override
        public void cancel(String message, Throwable cause) {
            Executor executor = options.getExecutor() != null ? options.getExecutor() : callbacks;
            executor.execute(() -> {
                if (listener == null || !done.compareAndSet(false, true)) {
                    return;
                }
                callerContext.removeListener(callerGaveUp);
                Status cancelled = Status.CANCELLED.withDescription(message);
                listener.onClose(cause == null ? cancelled : cancelled.withCause(cause), new Metadata());
            });
        }

        @Override
        public boolean isReady() {
            return !done.get();
        }
    }
}
