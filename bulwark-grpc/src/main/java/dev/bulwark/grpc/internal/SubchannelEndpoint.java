package dev.bulwark.grpc.internal;

import dev.bulwark.balance.Endpoint;
import dev.bulwark.balance.EndpointStats;
import dev.bulwark.breaker.CircuitBreaker;
import dev.bulwark.breaker.State;
import dev.bulwark.discovery.ServiceInstance;
import io.grpc.ConnectivityState;
import java.net.SocketAddress;

/**
 * One discovered instance as Bulwark's balancers see it: its connections (one, or a small pool),
 * its live statistics and its circuit breaker. It is available while one of its connections is
 * ready, it is not being removed, and its breaker is not open. The balancer's synchronization
 * context changes its connections; pickers read them from any thread.
 */
public final class SubchannelEndpoint implements Endpoint {
    private static final Connection[] NONE = new Connection[0];

    final SocketAddress address;
    private final String name;
    private final EndpointStats stats;
    private final CircuitBreaker breaker;
    private volatile ServiceInstance instance;
    private volatile int weight;
    private volatile Connection[] connections = NONE;
    private volatile boolean ready;
    private volatile boolean removed;

    SubchannelEndpoint(SocketAddress address, ServiceInstance instance, EndpointStats stats, CircuitBreaker breaker) {
        this.address = address;
        this.name = instance.address();
        this.stats = stats;
        this.breaker = breaker;
        this.instance = instance;
        this.weight = instance.weight();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int weight() {
        return weight;
    }

    @Override
    public EndpointStats stats() {
        return stats;
    }

    @Override
    public boolean isAvailable() {
        return ready && !removed && (breaker == null || breaker.state() != State.OPEN);
    }

    /** The instance as discovery last described it. */
    public ServiceInstance instance() {
        return instance;
    }

    /** The endpoint's breaker, or {@code null} when the channel has none per endpoint. */
    public CircuitBreaker breaker() {
        return breaker;
    }

    /** The best state among its connections: READY if any is ready. */
    public ConnectivityState state() {
        ConnectivityState best = ConnectivityState.SHUTDOWN;
        for (Connection c : connections) {
            best = better(best, c.state);
        }
        return best;
    }

    /** Its open connections. */
    public int connectionCount() {
        return connections.length;
    }

    Connection[] connections() {
        return connections;
    }

    void connections(Connection[] now) {
        connections = now;
        refreshReady();
    }

    void refreshReady() {
        boolean any = false;
        for (Connection c : connections) {
            any |= c.isReady();
        }
        ready = any;
    }

    boolean isReady() {
        return ready;
    }

    /** Updates what discovery says of it; returns whether its weight changed. */
    boolean update(ServiceInstance now) {
        instance = now;
        int old = weight;
        weight = now.weight();
        return old != weight;
    }

    void markRemoved() {
        removed = true;
    }

    /** The ready connection with the fewest calls in flight, or {@code null}. */
    Connection leastLoaded() {
        Connection best = null;
        int bestLoad = Integer.MAX_VALUE;
        for (Connection c : connections) {
            if (c.isReady()) {
                int load = c.inFlight.get();
                if (load < bestLoad) {
                    best = c;
                    bestLoad = load;
                }
            }
        }
        return best;
    }

    /** Whether even the least loaded connection carries {@code maxCalls} and the pool may open another. */
    boolean wantsAnotherConnection(Connection leastLoaded, int maxCalls, int maxConnections) {
        return maxConnections > 1 && leastLoaded.inFlight.get() >= maxCalls && connections.length < maxConnections;
    }

    private static ConnectivityState better(ConnectivityState a, ConnectivityState b) {
        return rank(b) > rank(a) ? b : a;
    }

    private static int rank(ConnectivityState s) {
        return switch (s) {
            case READY -> 4;
            case CONNECTING -> 3;
            case IDLE -> 2;
            case TRANSIENT_FAILURE -> 1;
            case SHUTDOWN -> 0;
        };
    }

    @Override
    public String toString() {
        return name + " " + state() + (breaker == null ? "" : ", breaker " + breaker.state()) + ", " + stats
                + (connections.length > 1 ? ", " + connections.length + " connections" : "");
    }
}
