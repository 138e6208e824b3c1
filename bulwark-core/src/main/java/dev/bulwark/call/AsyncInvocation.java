package dev.bulwark.call;

import dev.bulwark.CallContext;
import dev.bulwark.balance.Endpoint;
import java.util.concurrent.CompletableFuture;

/**
 * An asynchronous call at one position of its chain; immutable. Proceeding makes the invocation
 * of the next position and hands it to that stage, so proceeding twice starts the inner chain
 * twice, independently. The pick and retry stages derive copies at their own position with the
 * endpoint or attempt changed.
 */
final class AsyncInvocation implements Invocation {
    private final Chain chain;
    private final int index;
    private final CallContext context;
    private final Endpoint endpoint;
    private final int attempt;
    private final Object task;
    final CallState state;

    AsyncInvocation(Chain chain, int index, CallContext context, Endpoint endpoint, int attempt, Object task,
            CallState state) {
        this.chain = chain;
        this.index = index;
        this.context = context;
        this.endpoint = endpoint;
        this.attempt = attempt;
        this.task = task;
        this.state = state;
    }

    AsyncInvocation withEndpoint(Endpoint chosen) {
        return new AsyncInvocation(chain, index, context, chosen, attempt, task, state);
    }

    AsyncInvocation withAttempt(int number) {
        return new AsyncInvocation(chain, index, context, endpoint, number, task, state);
    }

    Chain owner() {
        return chain;
    }

    @Override
    public String chain() {
        return chain.name;
    }

    @Override
    public CallContext context() {
        return context;
    }

    @Override
    public Endpoint endpoint() {
        return endpoint;
    }

    @Override
    public int attempt() {
        return attempt;
    }

    @Override
    public boolean isAsync() {
        return true;
    }

    @Override
    public Object proceed() {
        throw new StageContractException(chain.stageName(index), "stage '" + chain.stageName(index)
                + "' called proceed() in an asynchronous call of '" + chain.name + "': call proceedAsync()");
    }

    @Override
    public Object proceed(CallContext innerContext) {
        return proceed();
    }

    @Override
    public CompletableFuture<Object> proceedAsync() {
        return proceedAsync(context);
    }

    @Override
    public CompletableFuture<Object> proceedAsync(CallContext innerContext) {
        if (innerContext == null) {
            return CompletableFuture.failedFuture(new dev.bulwark.InvalidConfigException("context", null, "a non-null value"));
        }
        int next = index + 1;
        AsyncInvocation inner = new AsyncInvocation(chain, next, innerContext, endpoint, attempt, task, state);
        CompletableFuture<Object> future;
        try {
            future = next < chain.stages.length ? chain.stages[next].callAsync(inner) : chain.terminal.callAsync(inner, task);
        } catch (Throwable e) {
            return CompletableFuture.failedFuture(e);
        }
        if (future == null) {
            return CompletableFuture.failedFuture(new StageContractException(chain.stageName(next),
                    (next < chain.stages.length ? "stage '" + chain.stageName(next) + "'" : "the call") + " of '"
                            + chain.name + "' returned no future"));
        }
        return future;
    }

    @Override
    public String toString() {
        return "Invocation{" + chain.name + " at " + chain.stageName(index) + ", attempt " + attempt
                + (endpoint == null ? "" : ", endpoint " + endpoint.name()) + ", async}";
    }
}
