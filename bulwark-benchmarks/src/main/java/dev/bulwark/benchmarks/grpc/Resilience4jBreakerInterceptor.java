package dev.bulwark.benchmarks.grpc;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.util.concurrent.TimeUnit;

/**
 * What a grpc-java user builds instead of Bulwark's channel: a Resilience4j circuit breaker around
 * every call, as an interceptor (one breaker for the whole service; grpc-java's retry service
 * config does the retrying). A call the breaker refuses ends UNAVAILABLE without reaching the wire.
 */
final class Resilience4jBreakerInterceptor implements ClientInterceptor {
    private final CircuitBreaker breaker;

    Resilience4jBreakerInterceptor(CircuitBreaker breaker) {
        this.breaker = breaker;
    }

    @Override
    public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(MethodDescriptor<ReqT, RespT> method, CallOptions options,
            Channel next) {
        return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
            private boolean refused;

            @Override
            public void start(Listener<RespT> listener, Metadata headers) {
                if (!breaker.tryAcquirePermission()) {
                    refused = true;
                    listener.onClose(Status.UNAVAILABLE.withDescription("circuit breaker open"), new Metadata());
                    return;
                }
                long start = System.nanoTime();
                super.start(new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
                    @Override
                    public void onClose(Status status, Metadata trailers) {
                        long took = System.nanoTime() - start;
                        if (status.isOk()) {
                            breaker.onSuccess(took, TimeUnit.NANOSECONDS);
                        } else {
                            breaker.onError(took, TimeUnit.NANOSECONDS, status.asRuntimeException(trailers));
                        }
                        super.onClose(status, trailers);
                    }
                }, headers);
            }

            @Override
            public void request(int numMessages) {
                if (!refused) {
                    super.request(numMessages);
                }
            }

            @Override
            public void sendMessage(ReqT message) {
                if (!refused) {
                    super.sendMessage(message);
                }
            }

            @Override
            public void halfClose() {
                if (!refused) {
                    super.halfClose();
                }
            }
        };
    }
}
