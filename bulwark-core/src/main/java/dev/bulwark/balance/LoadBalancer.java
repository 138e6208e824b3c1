package dev.bulwark.balance;

import dev.bulwark.CallContext;

/**
 * Chooses the endpoint for one call. Implementations pick lock-free from an immutable
 * {@link EndpointSet}, skip endpoints that are not {@linkplain Endpoint#isAvailable() available},
 * pass over those the call has already tried when another will do, and allocate nothing on the
 * common path. A balancer instance may keep state (a round-robin counter, a precomputed table) and
 * serves one pool; the built-ins come from {@link LoadBalancers} (by {@link Strategy} or by name).
 *
 * <p>A custom balancer is this one method, so a lambda:
 * <pre>{@code
 * LoadBalancer firstAvailable = (endpoints, context, tried) -> {
 *     for (Endpoint e : endpoints.asList()) {
 *         if (e.isAvailable() && !tried.excludes(e)) return e;
 *     }
 *     return null;
 * };
 * }</pre>
 */
@FunctionalInterface
public interface LoadBalancer {

    /**
     * Picks an available endpoint of {@code endpoints}, or returns {@code null} if none is available.
     * The caller knows the set's endpoint type and casts the answer back to it.
     *
     * @param endpoints the current snapshot
     * @param context the call's context (a consistent-hash balancer reads its key there)
     * @param tried endpoints to pass over if any other is available (those a retried call already tried)
     */
    Endpoint pick(EndpointSet<? extends Endpoint> endpoints, CallContext context, Exclusion tried);
}
