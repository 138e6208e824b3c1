package dev.bulwark.balance;

import dev.bulwark.CallContext;

/**
 * Chooses the endpoint for one call. Implementations pick lock-free from an immutable
 * {@link EndpointSet}, skip endpoints that are not {@linkplain Endpoint#isAvailable() available},
 * and allocate nothing on the common path. A balancer instance may keep state (a round-robin
 * counter, a precomputed table) and serves one pool; make one per pool with {@link LoadBalancers}.
 *
 * <p>A custom balancer is this one method:
 * <pre>{@code
 * LoadBalancer firstAvailable = (endpoints, context, avoid) -> {
 *     for (int i = 0; i < endpoints.size(); i++) {
 *         if (endpoints.get(i).isAvailable() && endpoints.get(i) != avoid) return endpoints.get(i);
 *     }
 *     return null;
 * };
 * }</pre>
 */
@FunctionalInterface
public interface LoadBalancer {

    /**
     * Picks an available endpoint, or returns {@code null} if none is available.
     *
     * @param endpoints the current snapshot
     * @param context the call's context (a consistent-hash balancer reads its key there)
     * @param avoid an endpoint to pass over if any other is available (the one a retried call just
     *     failed on), or {@code null}
     */
    <E extends Endpoint> E pick(EndpointSet<E> endpoints, CallContext context, Endpoint avoid);
}
