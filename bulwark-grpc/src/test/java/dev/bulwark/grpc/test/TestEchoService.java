package dev.bulwark.grpc.test;

import io.grpc.BindableService;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The test service: answers as each request asks (a delay, a status to fail with and a pushback
 * to send, a number of stream replies, the server to fail on), names itself in every reply, echoes
 * the request's {@code x-} headers, and counts its calls. Behaviour for every call can also be
 * switched live: {@link #slow(Duration)}, {@link #failAll(Status.Code)}. A unary request with the message
 * {@code throw} makes the handler throw; a request header {@code x-cache-control} comes back as the
 * reply header {@code cache-control}.
 */
public final class TestEchoService implements EchoGrpc.AsyncService, BindableService {
    private static final Context.Key<Metadata> HEADERS = Context.key("headers");

    private final String name;
    private final AtomicInteger calls = new AtomicInteger();
    private final AtomicInteger cancelled = new AtomicInteger();
    private final AtomicReference<Duration> extraDelay = new AtomicReference<>(Duration.ZERO);
    private final AtomicReference<Status.Code> failAll = new AtomicReference<>();

    public TestEchoService(String name) {
        this.name = name;
    }

    /** The service definition with the interceptor that lets it see request headers. */
    @Override
    public ServerServiceDefinition bindService() {
        return ServerInterceptors.intercept(EchoGrpc.bindService(this), new ServerInterceptor() {
            @Override
            public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
                    ServerCallHandler<ReqT, RespT> next) {
                String cacheControl = headers.get(Metadata.Key.of("x-cache-control", Metadata.ASCII_STRING_MARSHALLER));
                ServerCall<ReqT, RespT> answering = cacheControl == null ? call
                        : new io.grpc.ForwardingServerCall.SimpleForwardingServerCall<>(call) {
                            @Override
                            public void sendHeaders(Metadata replyHeaders) {
                                replyHeaders.put(Metadata.Key.of("cache-control", Metadata.ASCII_STRING_MARSHALLER), cacheControl);
                                super.sendHeaders(replyHeaders);
                            }
                        };
                return Contexts.interceptCall(Context.current().withValue(HEADERS, headers), answering, headers, next);
            }
        });
    }

    public String name() {
        return name;
    }

    /** Calls received. */
    public int calls() {
        return calls.get();
    }

    /** Calls the client cancelled while they ran. */
    public int cancelled() {
        return cancelled.get();
    }

    /** Every call from now on waits this much longer. */
    public TestEchoService slow(Duration delay) {
        extraDelay.set(delay);
        return this;
    }

    /** Every call from now on fails with {@code code} ({@code null}: answers again). */
    public TestEchoService failAll(Status.Code code) {
        failAll.set(code);
        return this;
    }

    @Override
    public void unary(EchoRequest request, StreamObserver<EchoReply> replies) {
        calls.incrementAndGet();
        watchCancel(replies);
        if (request.getMessage().equals("throw")) {
            throw new IllegalStateException(name + " throws as asked"); // a handler bug: grpc-java answers UNKNOWN
        }
        if (!pause(request.getDelayMs())) {
            return;
        }
        Status failure = failure(request);
        if (failure != null) {
            replies.onError(failure.asRuntimeException(trailers(request)));
            return;
        }
        replies.onNext(reply(request.getMessage()));
        replies.onCompleted();
    }

    @Override
    public void serverStream(EchoRequest request, StreamObserver<EchoReply> replies) {
        calls.incrementAndGet();
        watchCancel(replies);
        for (int i = 0; i < request.getReplies(); i++) {
            if (!pause(request.getDelayMs())) {
                return;
            }
            replies.onNext(reply(request.getMessage() + " " + i));
        }
        Status failure = failure(request);
        if (failure != null) {
            replies.onError(failure.asRuntimeException(trailers(request)));
        } else {
            replies.onCompleted();
        }
    }

    @Override
    public StreamObserver<EchoRequest> clientStream(StreamObserver<EchoReply> replies) {
        calls.incrementAndGet();
        watchCancel(replies);
        List<String> received = new ArrayList<>();
        AtomicReference<EchoRequest> failing = new AtomicReference<>();
        return new StreamObserver<>() {
            @Override
            public void onNext(EchoRequest request) {
                received.add(request.getMessage());
                if (failure(request) != null) {
                    failing.compareAndSet(null, request);
                }
            }

            @Override
            public void onError(Throwable t) {
            }

            @Override
            public void onCompleted() {
                EchoRequest bad = failing.get();
                if (bad != null) {
                    replies.onError(failure(bad).asRuntimeException(trailers(bad)));
                } else {
                    replies.onNext(reply(String.join(",", received)));
                    replies.onCompleted();
                }
            }
        };
    }

    @Override
    public StreamObserver<EchoRequest> bidi(StreamObserver<EchoReply> replies) {
        calls.incrementAndGet();
        watchCancel(replies);
        return new StreamObserver<>() {
            private boolean failed;

            @Override
            public void onNext(EchoRequest request) {
                if (failed || !pause(request.getDelayMs())) {
                    return;
                }
                Status failure = failure(request);
                if (failure != null) {
                    failed = true;
                    replies.onError(failure.asRuntimeException(trailers(request)));
                } else {
                    replies.onNext(reply(request.getMessage()));
                }
            }

            @Override
            public void onError(Throwable t) {
            }

            @Override
            public void onCompleted() {
                if (!failed) {
                    replies.onCompleted();
                }
            }
        };
    }

    private void watchCancel(StreamObserver<EchoReply> replies) {
        if (replies instanceof ServerCallStreamObserver<EchoReply> observer) {
            observer.setOnCancelHandler(cancelled::incrementAndGet);
        }
    }

    private Status failure(EchoRequest request) {
        Status.Code all = failAll.get();
        if (all != null) {
            return Status.fromCode(all).withDescription(name + " fails every call");
        }
        if (request.getFailCode() == 0 || !(request.getFailOn().isEmpty() || request.getFailOn().equals(name))) {
            return null;
        }
        return Status.fromCodeValue(request.getFailCode()).withDescription(name + " failed as asked");
    }

    private static Metadata trailers(EchoRequest request) {
        Metadata trailers = new Metadata();
        if (request.getPushbackMs() != 0) {
            trailers.put(Metadata.Key.of("grpc-retry-pushback-ms", Metadata.ASCII_STRING_MARSHALLER),
                    String.valueOf(request.getPushbackMs()));
        }
        trailers.put(Metadata.Key.of("x-failed-by", Metadata.ASCII_STRING_MARSHALLER), "echo");
        return trailers;
    }

    private EchoReply reply(String message) {
        EchoReply.Builder reply = EchoReply.newBuilder().setMessage(message).setServer(name);
        Metadata headers = HEADERS.get();
        if (headers != null) {
            for (String key : headers.keys()) {
                if (key.startsWith("x-") && !key.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
                    reply.addHeaders(key + "=" + headers.get(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER)));
                }
            }
        }
        if (Context.current().getDeadline() != null) {
            reply.addHeaders("deadline-ms=" + Context.current().getDeadline().timeRemaining(TimeUnit.MILLISECONDS));
        }
        return reply.build();
    }

    /** Waits the asked delay plus any extra; false if the call was cancelled meanwhile. */
    private boolean pause(int millis) {
        long total = millis + extraDelay.get().toMillis();
        if (total <= 0) {
            return true;
        }
        long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(total);
        try {
            while (System.nanoTime() < end) {
                if (Context.current().isCancelled()) {
                    return false;
                }
                Thread.sleep(Math.min(5, Math.max(1, TimeUnit.NANOSECONDS.toMillis(end - System.nanoTime()))));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        return true;
    }
}
