package dev.bulwark.call;

/**
 * Observes a {@link ClientPool}'s membership, so that metrics, dashboards and logs follow it
 * without polling. Callbacks run on the thread that changed the pool, after the change took
 * effect; what they throw is logged and ignored. Every method has an empty default.
 *
 * @param <C> the client type
 */
public interface PoolListener<C> {

    /** {@code endpoint} joined the pool and takes calls from now on. */
    default void onAdded(ClientPool<C> pool, PoolEndpoint<C> endpoint) {
    }

    /** {@code endpoint} left the pool: it is admitted to no new call; see {@link PoolEndpoint#drained()}. */
    default void onRemoved(ClientPool<C> pool, PoolEndpoint<C> endpoint) {
    }

    /** {@code endpoint}'s weight changed from {@code oldWeight} to its current one. */
    default void onReweighted(ClientPool<C> pool, PoolEndpoint<C> endpoint, int oldWeight) {
    }
}
