package dev.bulwark.grpc.internal;

import dev.bulwark.FailureClassifier;
import dev.bulwark.time.Ticker;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import java.util.concurrent.Executor;

/** Runs every call of a Bulwark channel through its method's chain ({@link ProtectedCall}). */
public final class ProtectingInterceptor implements ClientInterceptor {
    private final CallPolicies policies;
    private final CallPolicies.Chains chains;
    private final Ticker ticker;
    private final FailureClassifier classifier;
    private final Executor executor;
    private final Metadata.Key<String> hashKey;

    public ProtectingInterceptor(CallPolicies policies, Ticker ticker, Executor executor) {
        this.policies = policies;
        this.chains = new CallPolicies.Chains(policies);
        this.ticker = ticker;
        this.classifier = policies.classifier();
        this.executor = executor;
        this.hashKey = policies.hashKeyHeader() == null ? null
                : Metadata.Key.of(policies.hashKeyHeader(), Metadata.ASCII_STRING_MARSHALLER);
    }

    @Override
    public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(MethodDescriptor<ReqT, RespT> method, CallOptions callOptions,
            Channel next) {
        return new ProtectedCall<>(method, callOptions, next, chains.of(method), policies, ticker, classifier, executor, hashKey);
    }
}
