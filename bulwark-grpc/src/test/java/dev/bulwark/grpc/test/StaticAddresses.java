package dev.bulwark.grpc.test;

import io.grpc.EquivalentAddressGroup;
import io.grpc.NameResolver;
import io.grpc.NameResolverProvider;
import io.grpc.NameResolverRegistry;
import io.grpc.StatusOr;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * {@code static:///host:port,host:port}: a fixed list of addresses for plain grpc-java channels
 * (in the benchmark and the demo), which then balance over the same servers Bulwark discovers.
 */
public final class StaticAddresses extends NameResolverProvider {
    public static final String SCHEME = "static";
    private static volatile boolean registered;

    /** Registers the scheme with grpc-java's default registry, once. */
    public static synchronized void register() {
        if (!registered) {
            NameResolverRegistry.getDefaultRegistry().register(new StaticAddresses());
            registered = true;
        }
    }

    /** The target naming {@code addresses}. */
    public static String target(List<InetSocketAddress> addresses) {
        StringBuilder t = new StringBuilder(SCHEME + ":///");
        for (InetSocketAddress a : addresses) {
            t.append(t.length() > SCHEME.length() + 4 ? "," : "").append(a.getHostString()).append(':').append(a.getPort());
        }
        return t.toString();
    }

    @Override
    public NameResolver newNameResolver(URI target, NameResolver.Args args) {
        if (!SCHEME.equals(target.getScheme())) {
            return null;
        }
        List<EquivalentAddressGroup> groups = new ArrayList<>();
        for (String hostPort : target.getPath().substring(1).split(",")) {
            int colon = hostPort.lastIndexOf(':');
            groups.add(new EquivalentAddressGroup(new InetSocketAddress(hostPort.substring(0, colon),
                    Integer.parseInt(hostPort.substring(colon + 1)))));
        }
        return new NameResolver() {
            @Override
            public String getServiceAuthority() {
                return "echo";
            }

            @Override
            public void start(Listener2 listener) {
                listener.onResult2(ResolutionResult.newBuilder().setAddressesOrError(StatusOr.fromValue(groups)).build());
            }

            @Override
            public void shutdown() {
            }
        };
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
