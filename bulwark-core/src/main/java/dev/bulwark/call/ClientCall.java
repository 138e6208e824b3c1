package dev.bulwark.call;

import dev.bulwark.CallContext;

/**
 * What a pool call does with the client it was given.
 *
 * @param <C> the client type
 * @param <R> the result type
 */
@FunctionalInterface
public interface ClientCall<C, R> {

    /**
     * Calls {@code client}, the client of {@code endpoint}, for one attempt.
     *
     * @param context the call's deadline and attributes
     */
    R call(C client, PoolEndpoint<C> endpoint, CallContext context) throws Exception;
}
