package dev.bulwark.balance;

/**
 * What a {@link LoadBalancer} sees of one endpoint: its name, its weight, its live statistics and
 * whether it may take a call now. The client pool's endpoints implement it; so can anything else
 * that wants to reuse the balancers (the HTTP client, gRPC).
 */
public interface Endpoint {

    /** A name unique within its set. */
    String name();

    /** Relative share of traffic for weighted balancers, at least 1. */
    int weight();

    /** Live in-flight count, outcomes and latency, updated by whoever makes the calls. */
    EndpointStats stats();

    /**
     * Whether the endpoint may be picked now: not being removed, and its circuit breaker (if any)
     * not open. Balancers skip unavailable endpoints. Must be cheap: it is asked on every pick.
     */
    boolean isAvailable();
}
