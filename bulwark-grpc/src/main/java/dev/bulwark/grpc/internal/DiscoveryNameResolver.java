package dev.bulwark.grpc.internal;

import dev.bulwark.discovery.ServiceInstance;
import io.grpc.Attributes;
import io.grpc.EquivalentAddressGroup;
import io.grpc.NameResolver;
import io.grpc.Status;
import io.grpc.StatusOr;
import io.grpc.SynchronizationContext;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Resolves {@code bulwark:///<service>} from Bulwark discovery: the serving instances of the
 * service (registered healthy, passing the discovery's health checks, of the channel's protocol),
 * re-read on every change the discovery cache sees and whenever the channel asks (a connection
 * failed). The discovery cache keeps serving its last good list through a registry outage and
 * believes an empty answer only once confirmed, so neither wipes the channel's endpoints.
 */
final class DiscoveryNameResolver extends NameResolver {
    private static final Logger LOG = Logger.getLogger(DiscoveryNameResolver.class.getName());

    /** The instance an address group stands for. */
    static final Attributes.Key<ServiceInstance> INSTANCE = Attributes.Key.create("bulwark.instance");

    private final ChannelSettings settings;
    private final SynchronizationContext sync;
    private final Executor offload;
    private Listener2 listener;
    private AutoCloseable watch;
    private boolean shutdown;
    /** Orders the reads: a result is handed on only if no later read has been handed on already. */
    private final java.util.concurrent.atomic.AtomicLong reads = new java.util.concurrent.atomic.AtomicLong();
    private long lastHandedOn;

    DiscoveryNameResolver(ChannelSettings settings, Args args) {
        this.settings = settings;
        this.sync = args.getSynchronizationContext();
        this.offload = args.getOffloadExecutor() != null ? args.getOffloadExecutor() : Runnable::run;
    }

    @Override
    public String getServiceAuthority() {
        return settings.service();
    }

    @Override
    public void start(Listener2 listener) {
        this.listener = listener;
        // The first read of a service may wait on the registry: never on the synchronization context.
        offload.execute(() -> {
            try {
                // Changes arrive under the discovery cache's lock: resolve (host names included) elsewhere.
                AutoCloseable opened = settings.discovery().watch(settings.service(), instances -> offload.execute(this::resolve));
                sync.execute(() -> {
                    if (shutdown) {
                        closeQuietly(opened);
                    } else {
                        watch = opened;
                    }
                });
            } catch (RuntimeException e) {
                sync.execute(() -> listener.onError(Status.UNAVAILABLE
                        .withDescription("cannot watch " + settings.service() + " in discovery: " + e.getMessage()).withCause(e)));
            }
        });
    }

    @Override
    public void refresh() {
        offload.execute(this::resolve);
    }

    /** Reads the serving instances, builds their addresses (a host name resolves here, off the channel's context) and hands them on. */
    private void resolve() {
        long read = reads.incrementAndGet();
        List<EquivalentAddressGroup> groups = new ArrayList<>();
        try {
            for (ServiceInstance instance : settings.discovery().instances(settings.service())) {
                if (settings.protocol() == null || settings.protocol().equalsIgnoreCase(instance.protocol())) {
                    InetSocketAddress address = new InetSocketAddress(instance.host(), instance.port());
                    if (address.isUnresolved()) {
                        LOG.log(Level.FINE, "skipping {0}: its host does not resolve", instance);
                        continue;
                    }
                    groups.add(new EquivalentAddressGroup(address, Attributes.newBuilder().set(INSTANCE, instance).build()));
                }
            }
        } catch (RuntimeException e) {
            sync.execute(() -> listener.onError(Status.UNAVAILABLE
                    .withDescription("cannot read " + settings.service() + " from discovery: " + e.getMessage()).withCause(e)));
            return;
        }
        ResolutionResult result = ResolutionResult.newBuilder()
                .setAddressesOrError(StatusOr.fromValue(groups))
                .setAttributes(Attributes.newBuilder().set(ChannelSettings.ATTRIBUTE, settings).build())
                .build();
        sync.execute(() -> {
            if (!shutdown && read > lastHandedOn) {
                lastHandedOn = read;
                listener.onResult2(result);
            }
        });
    }

    @Override
    public void shutdown() {
        shutdown = true;
        if (watch != null) {
            closeQuietly(watch);
            watch = null;
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        try {
            closeable.close();
        } catch (Exception e) {
            LOG.log(Level.FINE, "closing a discovery watch failed", e);
        }
    }
}
