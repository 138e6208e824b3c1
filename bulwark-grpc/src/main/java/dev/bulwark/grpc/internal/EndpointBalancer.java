package dev.bulwark.grpc.internal;

import dev.bulwark.balance.EndpointSet;
import dev.bulwark.balance.EndpointStats;
import dev.bulwark.breaker.CircuitBreaker;
import dev.bulwark.discovery.ServiceInstance;
import io.grpc.ConnectivityState;
import io.grpc.ConnectivityStateInfo;
import io.grpc.EquivalentAddressGroup;
import io.grpc.LoadBalancer;
import io.grpc.Status;
import io.grpc.SynchronizationContext;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * grpc-java's load-balancing policy {@value EndpointBalancerProvider#NAME}: one endpoint per
 * discovered instance, each with its statistics, its circuit breaker and one connection (or a
 * small pool of them, grown when every connection carries {@code maxCallsPerConnection} calls and
 * shrunk when the extra ones idle); picks made by Bulwark's balancers ({@link EndpointPicker}).
 * Every method runs on the channel's synchronization context, as grpc-java guarantees.
 */
final class EndpointBalancer extends LoadBalancer {
    private final Helper helper;
    private final SynchronizationContext sync;
    private final Map<SocketAddress, Entry> entries = new LinkedHashMap<>();
    private ChannelSettings settings;
    private EndpointSet<SubchannelEndpoint> set = EndpointSet.empty();
    private Status lastError = Status.UNAVAILABLE.withDescription("not connected yet");
    private SynchronizationContext.ScheduledHandle idleSweep;
    private SynchronizationContext.ScheduledHandle probeRefresh;

    /** An endpoint and the address group its connections are made to. */
    private static final class Entry {
        final SubchannelEndpoint endpoint;
        EquivalentAddressGroup addresses;
        boolean growing;

        Entry(SubchannelEndpoint endpoint, EquivalentAddressGroup addresses) {
            this.endpoint = endpoint;
            this.addresses = addresses;
        }
    }

    EndpointBalancer(Helper helper) {
        this.helper = helper;
        this.sync = helper.getSynchronizationContext();
    }

    @Override
    public Status acceptResolvedAddresses(ResolvedAddresses resolved) {
        ChannelSettings given = resolved.getAttributes().get(ChannelSettings.ATTRIBUTE);
        if (given == null) {
            Status refused = Status.FAILED_PRECONDITION.withDescription("the " + EndpointBalancerProvider.NAME
                    + " policy serves Bulwark channels only (dev.bulwark.grpc.client.BulwarkChannel)");
            helper.updateBalancingState(ConnectivityState.TRANSIENT_FAILURE, new ErrorPicker(refused));
            return refused;
        }
        if (settings == null) {
            settings = given;
            scheduleIdleSweep();
        }
        Map<SocketAddress, EquivalentAddressGroup> wanted = new LinkedHashMap<>();
        for (EquivalentAddressGroup group : resolved.getAddresses()) {
            wanted.put(group.getAddresses().get(0), group);
        }
        boolean changed = false;
        for (Iterator<Map.Entry<SocketAddress, Entry>> it = entries.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<SocketAddress, Entry> existing = it.next();
            if (!wanted.containsKey(existing.getKey())) {
                close(existing.getValue().endpoint);
                it.remove();
                changed = true;
            }
        }
        for (Map.Entry<SocketAddress, EquivalentAddressGroup> w : wanted.entrySet()) {
            ServiceInstance instance = w.getValue().getAttributes().get(DiscoveryNameResolver.INSTANCE);
            Entry entry = entries.get(w.getKey());
            if (entry == null) {
                entry = new Entry(newEndpoint(w.getKey(), instance), w.getValue());
                entries.put(w.getKey(), entry);
                connect(entry);
                changed = true;
            } else {
                entry.addresses = w.getValue();
                changed |= entry.endpoint.update(instance);
            }
        }
        if (changed || set.isEmpty()) {
            List<SubchannelEndpoint> now = new ArrayList<>(entries.size());
            entries.values().forEach(e -> now.add(e.endpoint));
            set = EndpointSet.of(now);
            settings.endpoints().publish(set);
        }
        updateState();
        return Status.OK;
    }

    private SubchannelEndpoint newEndpoint(SocketAddress address, ServiceInstance instance) {
        EndpointStats stats = new EndpointStats(settings.ticker(), Duration.ofSeconds(10));
        CircuitBreaker breaker = settings.endpointBreaker() == null ? null
                : CircuitBreaker.of("grpc:" + settings.service() + "@" + instance.address(), settings.endpointBreaker(), settings.ticker());
        return new SubchannelEndpoint(address, instance, stats, breaker);
    }

    /** Opens one more connection to {@code entry}'s endpoint. */
    private void connect(Entry entry) {
        Subchannel subchannel = helper.createSubchannel(CreateSubchannelArgs.newBuilder().setAddresses(entry.addresses).build());
        Connection connection = new Connection(subchannel, settings.ticker().read());
        subchannel.start(state -> onState(entry, connection, state));
        Connection[] before = entry.endpoint.connections();
        Connection[] after = Arrays.copyOf(before, before.length + 1);
        after[before.length] = connection;
        entry.endpoint.connections(after);
        subchannel.requestConnection();
    }

    private void onState(Entry entry, Connection connection, ConnectivityStateInfo info) {
        if (connection.state == ConnectivityState.SHUTDOWN) {
            return;
        }
        ConnectivityState state = info.getState();
        connection.state = state;
        if (state == ConnectivityState.IDLE) {
            connection.subchannel.requestConnection(); // keep every endpoint connected, as round_robin does
        } else if (state == ConnectivityState.TRANSIENT_FAILURE) {
            lastError = info.getStatus();
            helper.refreshNameResolution();
        }
        if (state != ConnectivityState.CONNECTING) {
            entry.growing = false;
        }
        entry.endpoint.refreshReady();
        updateState();
    }

    /**
     * Called by pickers from any thread when every connected endpoint's breaker refused: a new
     * picker is published when the first of them lets a probe through, so calls waiting for ready
     * are picked again then (breaker state is read live, but waiting calls need a new picker).
     */
    private void refreshAtNextProbe() {
        sync.execute(() -> {
            if (probeRefresh != null && probeRefresh.isPending()) {
                return;
            }
            long wait = Long.MAX_VALUE;
            for (SubchannelEndpoint e : set.asList()) {
                if (e.breaker() != null && e.isReady()) {
                    wait = Math.min(wait, e.breaker().metrics().nanosUntilProbe());
                }
            }
            if (wait != Long.MAX_VALUE) {
                probeRefresh = sync.schedule(this::updateState, Math.max(TimeUnit.MILLISECONDS.toNanos(1), wait),
                        TimeUnit.NANOSECONDS, helper.getScheduledExecutorService());
            }
        });
    }

    /** Called by pickers from any thread: opens another connection to a busy endpoint if the pool allows. */
    private void grow(SubchannelEndpoint endpoint) {
        sync.execute(() -> {
            Entry entry = entries.get(endpoint.address);
            if (entry == null || entry.growing || entry.endpoint.connectionCount() >= settings.maxConnectionsPerEndpoint()) {
                return;
            }
            entry.growing = true;
            connect(entry);
        });
    }

    private void scheduleIdleSweep() {
        if (settings.maxConnectionsPerEndpoint() > 1) {
            long every = Math.max(1, settings.connectionIdleTimeout().toMillis() / 2);
            idleSweep = sync.scheduleWithFixedDelay(this::closeIdleConnections, every, every, TimeUnit.MILLISECONDS,
                    helper.getScheduledExecutorService());
        }
    }

    /**
     * Closes extra connections that carried no call for the idle timeout; every endpoint keeps one,
     * a ready one if it has any. A new picker follows, so no pick holds a connection just closed.
     */
    private void closeIdleConnections() {
        long now = settings.ticker().read();
        long idleNanos = settings.connectionIdleTimeout().toNanos();
        boolean changed = false;
        for (Entry entry : entries.values()) {
            Connection[] all = entry.endpoint.connections();
            if (all.length <= 1) {
                continue;
            }
            List<Connection> kept = new ArrayList<>(Arrays.asList(all));
            kept.sort((a, b) -> Boolean.compare(b.isReady(), a.isReady())); // ready ones first: they are the ones kept
            for (int i = kept.size() - 1; i >= 1; i--) {
                Connection c = kept.get(i);
                if (c.inFlight.get() == 0 && now - c.lastUsedNanos >= idleNanos) {
                    kept.remove(i);
                    shutdown(c);
                }
            }
            if (kept.size() != all.length) {
                entry.endpoint.connections(kept.toArray(new Connection[0]));
                changed = true;
            }
        }
        if (changed) {
            updateState();
        }
    }

    private void updateState() {
        boolean ready = false;
        boolean connecting = false;
        for (SubchannelEndpoint e : set.asList()) {
            ready |= e.isReady();
            for (Connection c : e.connections()) {
                connecting |= c.state == ConnectivityState.CONNECTING || c.state == ConnectivityState.IDLE;
            }
        }
        if (ready) {
            helper.updateBalancingState(ConnectivityState.READY, picker());
        } else if (set.isEmpty()) {
            helper.updateBalancingState(ConnectivityState.TRANSIENT_FAILURE, new ErrorPicker(Status.UNAVAILABLE.withDescription(
                    "discovery has no serving instance of " + settings.service())));
        } else if (connecting) {
            helper.updateBalancingState(ConnectivityState.CONNECTING, picker());
        } else {
            helper.updateBalancingState(ConnectivityState.TRANSIENT_FAILURE, new ErrorPicker(Status.UNAVAILABLE
                    .withDescription("no instance of " + settings.service() + " reachable (" + set.size() + " known): "
                            + lastError.getDescription())
                    .withCause(lastError.getCause())));
        }
    }

    private EndpointPicker picker() {
        return new EndpointPicker(set, settings.balancer(), settings.maxCallsPerConnection(),
                settings.maxConnectionsPerEndpoint(), this::grow, this::refreshAtNextProbe);
    }

    @Override
    public void handleNameResolutionError(Status error) {
        if (set.isEmpty()) {
            helper.updateBalancingState(ConnectivityState.TRANSIENT_FAILURE, new ErrorPicker(error));
        } // else: keep calling the endpoints known, as discovery keeps serving its last good list
    }

    @Override
    public void shutdown() {
        if (idleSweep != null) {
            idleSweep.cancel();
        }
        if (probeRefresh != null) {
            probeRefresh.cancel();
        }
        entries.values().forEach(e -> close(e.endpoint));
        entries.clear();
        set = EndpointSet.empty();
        if (settings != null) {
            settings.endpoints().publish(set);
        }
    }

    private static void close(SubchannelEndpoint endpoint) {
        endpoint.markRemoved();
        for (Connection c : endpoint.connections()) {
            shutdown(c);
        }
    }

    private static void shutdown(Connection c) {
        c.state = ConnectivityState.SHUTDOWN;
        c.subchannel.shutdown(); // calls in flight on it finish first
    }

    /** Fails every pick with one status. */
    private static final class ErrorPicker extends SubchannelPicker {
        private final PickResult result;

        ErrorPicker(Status status) {
            this.result = PickResult.withError(status);
        }

        @Override
        public PickResult pickSubchannel(PickSubchannelArgs args) {
            return result;
        }

        @Override
        public String toString() {
            return "ErrorPicker{" + result + '}';
        }
    }
}
