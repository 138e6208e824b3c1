package dev.bulwark.middleware;

import dev.bulwark.CallContext;
import dev.bulwark.balance.Endpoint;

/**
 * One call on its way through a middleware chain: who is being called, with what context, and
 * the way on. A middleware calls {@link #proceed()} exactly once to go on (or not at all to answer
 * the call itself), much as OkHttp's {@code Interceptor.Chain}.
 */
public interface Invocation {

    /** The name of the pool (or client) making the call. */
    String pool();

    /** The endpoint chosen for this call. */
    Endpoint endpoint();

    /** The call's context: deadline and attributes. */
    CallContext context();

    /** Which attempt this is, 1 for the first (retries and failovers count up). */
    int attempt();

    /** Runs the rest of the chain and, at its end, the call itself; returns its result. */
    Object proceed() throws Exception;
}
