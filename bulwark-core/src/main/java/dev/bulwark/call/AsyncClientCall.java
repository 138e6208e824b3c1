package dev.bulwark.call;

import dev.bulwark.CallContext;
import java.util.concurrent.CompletionStage;

/**
 * What an asynchronous pool call does with the client it was given: start the work and return its
 * stage, without blocking.
 *
 * @param <C> the client type
 * @param <R> the result type
 */
@FunctionalInterface
public interface AsyncClientCall<C, R> {

    /** Starts a call of {@code client}, the client of {@code endpoint}, for one attempt. */
    CompletionStage<R> call(C client, PoolEndpoint<C> endpoint, CallContext context) throws Exception;
}
