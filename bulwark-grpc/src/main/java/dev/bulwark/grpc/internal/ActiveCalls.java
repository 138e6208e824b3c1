package dev.bulwark.grpc.internal;

import io.grpc.ForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts a server's calls in flight, from the handler's start to the call's end (completed or
 * cancelled: grpc-java reports exactly one of the two), so a drain knows what it waits for.
 */
public final class ActiveCalls implements ServerInterceptor {
    private final AtomicInteger active = new AtomicInteger();
    private final LongAdder started = new LongAdder();

    @Override
    public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
            ServerCallHandler<ReqT, RespT> next) {
        active.incrementAndGet();
        started.increment();
        ServerCall.Listener<ReqT> listener;
        try {
            listener = next.startCall(call, headers);
        } catch (RuntimeException | Error e) {
            active.decrementAndGet();
            throw e;
        }
        return new ForwardingServerCallListener.SimpleForwardingServerCallListener<>(listener) {
            @Override
            public void onComplete() {
                try {
                    super.onComplete();
                } finally {
                    active.decrementAndGet();
                }
            }

            @Override
            public void onCancel() {
                try {
                    super.onCancel();
                } finally {
                    active.decrementAndGet();
                }
            }
        };
    }

    /** Calls in flight now. */
    public int active() {
        return active.get();
    }

    /** Calls started since the server started. */
    public long started() {
        return started.sum();
    }
}
