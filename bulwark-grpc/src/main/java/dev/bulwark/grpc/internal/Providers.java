package dev.bulwark.grpc.internal;

import io.grpc.LoadBalancerRegistry;
import io.grpc.NameResolverRegistry;

/**
 * Registers Bulwark's name resolver and load-balancing policy with grpc-java's default registries,
 * once, when the first Bulwark channel is built (no service files to merge in a shaded jar).
 */
public final class Providers {
    private static volatile boolean registered;

    private Providers() {
    }

    public static void ensureRegistered() {
        if (registered) {
            return;
        }
        synchronized (Providers.class) {
            if (!registered) {
                if (!(NameResolverRegistry.getDefaultRegistry().getProviderForScheme(DiscoveryNameResolverProvider.SCHEME)
                        instanceof DiscoveryNameResolverProvider)) {
                    NameResolverRegistry.getDefaultRegistry().register(new DiscoveryNameResolverProvider());
                }
                if (!(LoadBalancerRegistry.getDefaultRegistry().getProvider(EndpointBalancerProvider.NAME)
                        instanceof EndpointBalancerProvider)) {
                    LoadBalancerRegistry.getDefaultRegistry().register(new EndpointBalancerProvider());
                }
                registered = true;
            }
        }
    }
}
