package dev.bulwark.discovery.etcd;

import dev.bulwark.time.Scheduler;
import io.etcd.jetcd.Client;
import io.grpc.ManagedChannel;
import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Gets the client talking to etcd again as soon as a server is back. gRPC waits between attempts
 * to reconnect with a backoff growing to two minutes, and nothing resets it: after an outage of
 * half a minute a client would take seconds to tens of seconds to notice etcd was back, long
 * enough for leases to lapse. So once a call finds etcd unavailable, this probes the endpoints by
 * plain TCP connects (cheap, no gRPC) every {@value #PROBE_MILLIS} ms, and the moment one accepts,
 * tells the channel to reconnect now ({@link ManagedChannel#resetConnectBackoff()}).
 *
 * <p>jetcd does not expose its channel: it is reached by reflection. Should a jetcd release change
 * that, the registry still works, reconnecting at gRPC's own pace, and says so once in the log.
 */
final class Reconnector {
    private static final System.Logger LOG = System.getLogger("dev.bulwark.discovery.etcd");
    static final long PROBE_MILLIS = 200;
    private static final int CONNECT_TIMEOUT_MILLIS = 200;

    private final ManagedChannel channel;
    private final List<URI> endpoints;
    private final Scheduler scheduler;
    private final Executor probes;
    private final AtomicBoolean probing = new AtomicBoolean();
    private volatile boolean closed;

    Reconnector(Client client, List<URI> endpoints, Scheduler scheduler, Executor probes) {
        this.channel = channelOf(client);
        this.endpoints = endpoints;
        this.scheduler = scheduler;
        this.probes = probes;
    }

    /** A call found etcd unavailable: probe until a server accepts, then reconnect at once. Idempotent. */
    void unavailable() {
        if (channel != null && !closed && probing.compareAndSet(false, true)) {
            schedule(0);
        }
    }

    void close() {
        closed = true;
    }

    private void schedule(long delayMillis) {
        Runnable probe = () -> {
            try {
                probes.execute(this::probe);
            } catch (RejectedExecutionException e) {
                probing.set(false); // the registry is closing
            }
        };
        if (delayMillis == 0) {
            probe.run();
        } else {
            scheduler.schedule(probe, delayMillis * 1_000_000L);
        }
    }

    private void probe() {
        if (closed) {
            probing.set(false);
            return;
        }
        for (URI endpoint : endpoints) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(endpoint.getHost(), endpoint.getPort()), CONNECT_TIMEOUT_MILLIS);
                channel.resetConnectBackoff();
                channel.getState(true); // and connect now, even if idle
                probing.set(false);
                LOG.log(System.Logger.Level.DEBUG, "etcd at " + endpoint + " accepts connections again; reconnecting now");
                return;
            } catch (IOException | RuntimeException notYet) {
                // down still: try the next endpoint, then again shortly
            }
        }
        schedule(PROBE_MILLIS);
    }

    /** jetcd's channel: {@code ClientImpl.connectionManager.getChannel()}; null (logged once) if it cannot be reached. */
    private static ManagedChannel channelOf(Client client) {
        try {
            Field manager = client.getClass().getDeclaredField("connectionManager");
            manager.setAccessible(true);
            Object connections = manager.get(client);
            Method getChannel = connections.getClass().getDeclaredMethod("getChannel");
            getChannel.setAccessible(true);
            return (ManagedChannel) getChannel.invoke(connections);
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.log(System.Logger.Level.INFO, "cannot reach jetcd's gRPC channel (" + e + "): after an outage the etcd client"
                    + " reconnects at gRPC's own pace, which may take seconds longer");
            return null;
        }
    }
}
