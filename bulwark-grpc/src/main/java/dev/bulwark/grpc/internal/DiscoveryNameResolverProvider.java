package dev.bulwark.grpc.internal;

import io.grpc.NameResolver;
import io.grpc.NameResolverProvider;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.util.Collection;
import java.util.List;

/**
 * Resolves targets of the form {@code bulwark:///<service>} for Bulwark channels, which pass their
 * discovery as a name-resolver argument. A channel built some other way gets an error naming the
 * way to build one.
 */
public final class DiscoveryNameResolverProvider extends NameResolverProvider {
    /** The target scheme. */
    public static final String SCHEME = "bulwark";

    @Override
    public NameResolver newNameResolver(URI target, NameResolver.Args args) {
        if (!SCHEME.equals(target.getScheme())) {
            return null;
        }
        ChannelSettings settings = args.getArg(ChannelSettings.RESOLVER_ARG);
        if (settings == null) {
            throw new IllegalArgumentException("target " + target + ": a bulwark:/// target needs a channel built by"
                    + " dev.bulwark.grpc.client.BulwarkChannel.builder(service, discovery), which brings the discovery");
        }
        return new DiscoveryNameResolver(settings, args);
    }

    @Override
    public String getDefaultScheme() {
        return SCHEME;
    }

    @Override
    protected boolean isAvailable() {
        return true;
    }

    @Override
    protected int priority() {
        return 5;
    }

    @Override
    public Collection<Class<? extends SocketAddress>> getProducedSocketAddressTypes() {
        return List.of(InetSocketAddress.class);
    }
}
