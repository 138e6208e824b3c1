package dev.bulwark.call;

import dev.bulwark.balance.Endpoint;
import dev.bulwark.balance.EndpointStats;
import dev.bulwark.breaker.CircuitBreaker;
import dev.bulwark.breaker.State;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One named client in a {@link ClientPool}, with its weight, metadata, circuit breaker and live
 * statistics. The pool creates it; callers see it in {@link ClientCall}s and in
 * {@link ClientPool#endpoints()}.
 *
 * @param <C> the client type
 */
public final class PoolEndpoint<C> implements Endpoint {
    private final String name;
    private final C client;
    private final Map<String, String> metadata;
    private final CircuitBreaker breaker;
    private final EndpointStats stats;
    private final CompletableFuture<Void> drained = new CompletableFuture<>();
    private volatile int weight;
    private volatile boolean removed;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicBoolean draining = new AtomicBoolean();

    PoolEndpoint(String name, C client, int weight, Map<String, String> metadata, CircuitBreaker breaker, EndpointStats stats) {
        this.name = name;
        this.client = client;
        this.weight = weight;
        this.metadata = Map.copyOf(metadata);
        this.breaker = breaker;
        this.stats = stats;
    }

    @Override
    public String name() {
        return name;
    }

    public C client() {
        return client;
    }

    @Override
    public int weight() {
        return weight;
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    /** This endpoint's own circuit breaker. */
    public CircuitBreaker breaker() {
        return breaker;
    }

    @Override
    public EndpointStats stats() {
        return stats;
    }

    /** Available unless removed or its breaker rejects calls (a half-open breaker admits probes). */
    @Override
    public boolean isAvailable() {
        return !removed && !breaker.state().rejectsCalls();
    }

    /** Whether the endpoint has been removed from its pool. */
    public boolean isRemoved() {
        return removed;
    }

    /**
     * Completes once the endpoint has been removed and the last call admitted to it has finished:
     * from then on the pool never touches its client again (a pool built with
     * {@code closeRemovedClients} has closed it by then). Never completes while the endpoint is in the pool.
     */
    public CompletableFuture<Void> drained() {
        return drained.copy();
    }

    void setWeight(int newWeight) {
        weight = newWeight;
    }

    void markRemoved() {
        removed = true;
    }

    /** Called after a removal and after each call on a removed endpoint: the last one out completes the drain. */
    void drainIfIdle(boolean closeClient) {
        // Once removed, no call is admitted, so a count of 0 stays 0: whoever sees it first
        // closes the client and only then completes the drain, so a drained endpoint's client is closed.
        if (removed && stats.inFlight() == 0 && draining.compareAndSet(false, true)) {
            if (closeClient) {
                closeClient();
            }
            drained.complete(null);
        }
    }

    /** Closes the client once, if it is closeable; true if this call closed it. */
    boolean closeClient() {
        if (client instanceof AutoCloseable closeable && closed.compareAndSet(false, true)) {
            try {
                closeable.close();
            } catch (Exception e) {
                System.getLogger("dev.bulwark.call").log(System.Logger.Level.WARNING,
                        "closing the client of removed endpoint '" + name + "' failed", e);
            }
            return true;
        }
        return false;
    }

    String describe() {
        State state = breaker.state();
        return name + " (" + (removed ? "REMOVED" : state) + ")";
    }

    @Override
    public String toString() {
        return "PoolEndpoint{" + name + ", weight=" + weight + ", " + breaker.state() + ", " + stats + '}';
    }
}
