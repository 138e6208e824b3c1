package dev.bulwark.grpc.internal;

import io.grpc.LoadBalancer;
import io.grpc.LoadBalancerProvider;

/** Provides the {@value #NAME} policy to grpc-java; Bulwark channels select it. */
public final class EndpointBalancerProvider extends LoadBalancerProvider {
    /** The policy's name in grpc-java's registry. */
    public static final String NAME = "bulwark_endpoints";

    @Override
    public boolean isAvailable() {
        return true;
    }

    @Override
    public int getPriority() {
        return 5;
    }

    @Override
    public String getPolicyName() {
        return NAME;
    }

    @Override
    public LoadBalancer newLoadBalancer(LoadBalancer.Helper helper) {
        return new EndpointBalancer(helper);
    }
}
