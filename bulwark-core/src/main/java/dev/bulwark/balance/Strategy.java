package dev.bulwark.balance;

/**
 * The built-in balancing strategies, by name: a pool's default, or chosen per call through
 * {@code ClientPool.STRATEGY} in the call context. {@link LoadBalancers#create(Strategy)} makes one.
 */
public enum Strategy {
    /** Each endpoint in turn. */
    ROUND_ROBIN,
    /** Uniformly at random. */
    RANDOM,
    /** At random, in proportion to weight. */
    WEIGHTED_RANDOM,
    /** In proportion to weight, spread evenly (nginx's smooth weighted round robin). */
    WEIGHTED_ROUND_ROBIN,
    /** The less busy of two random endpoints (power of two choices on calls in flight). */
    LEAST_REQUESTS,
    /** The lower of two random endpoints' peak-EWMA latency × (calls in flight + 1). */
    PEAK_EWMA,
    /** The endpoint a call's hash key maps to; a key moves only when its endpoint leaves. */
    CONSISTENT_HASH
}
