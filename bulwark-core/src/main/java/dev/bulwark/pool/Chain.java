package dev.bulwark.pool;

import dev.bulwark.CallContext;
import dev.bulwark.balance.Endpoint;
import dev.bulwark.middleware.Invocation;
import dev.bulwark.middleware.Middleware;

/** One call's walk through a pool's middleware chain; one object per call. */
final class Chain<C, R> implements Invocation {
    private final ClientPool<C> pool;
    private final PoolEndpoint<C> endpoint;
    private final CallContext context;
    private final ClientCall<C, R> call;
    private final int attempt;
    private final Middleware[] middlewares;
    private int next;

    Chain(ClientPool<C> pool, PoolEndpoint<C> endpoint, CallContext context, ClientCall<C, R> call, int attempt,
            Middleware[] middlewares) {
        this.pool = pool;
        this.endpoint = endpoint;
        this.context = context;
        this.call = call;
        this.attempt = attempt;
        this.middlewares = middlewares;
    }

    @Override
    public String pool() {
        return pool.name();
    }

    @Override
    public Endpoint endpoint() {
        return endpoint;
    }

    @Override
    public CallContext context() {
        return context;
    }

    @Override
    public int attempt() {
        return attempt;
    }

    @Override
    public Object proceed() throws Exception {
        if (next < middlewares.length) {
            return middlewares[next++].handle(this);
        }
        next++;
        return call.call(endpoint.client(), endpoint, context);
    }
}
