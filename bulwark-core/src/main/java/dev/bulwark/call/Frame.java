package dev.bulwark.call;

import dev.bulwark.CallContext;
import dev.bulwark.balance.Endpoint;
import dev.bulwark.internal.Check;
import java.util.concurrent.CompletableFuture;

/**
 * A synchronous call on its way through a chain. One mutable object serves every position: a
 * stage's {@code proceed} runs the link after its own, and every link puts back what it changed
 * (position, context, endpoint, attempt) before returning, so each position sees the call exactly
 * as its own stage left it: proceeding twice runs the inner chain twice, the same way.
 */
final class Frame implements Invocation {
    private Chain chain;
    /** The position of the user's stage running now (its link sets it), -1 before any. */
    int index;
    private CallContext context;
    private Object task;
    Endpoint endpoint;
    int attempt;
    final CallState state = new CallState();
    final PermitSlot slot = new PermitSlot();

    void start(Chain owner, CallContext callContext, Object callTask) {
        chain = owner;
        index = -1;
        context = callContext;
        task = callTask;
        endpoint = null;
        attempt = 1;
    }

    void finish() {
        chain = null;
        context = null;
        task = null;
        endpoint = null;
        state.clear();
    }

    Chain owner() {
        return chain;
    }

    Object task() {
        return task;
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
        return false;
    }

    @Override
    public Object proceed() throws Exception {
        if (chain == null) {
            throw ended();
        }
        return proceed(context);
    }

    @Override
    public Object proceed(CallContext innerContext) throws Exception {
        Chain c = chain;
        if (c == null) {
            throw ended();
        }
        Check.notNull("context", innerContext);
        CallContext outerContext = context;
        context = innerContext;
        try {
            return c.links[index + 1].call(this);
        } finally {
            context = outerContext;
        }
    }

    @Override
    public CompletableFuture<Object> proceedAsync() {
        return proceedAsync(context);
    }

    @Override
    public CompletableFuture<Object> proceedAsync(CallContext innerContext) {
        if (chain == null) {
            return CompletableFuture.failedFuture(ended());
        }
        return CompletableFuture.failedFuture(new StageContractException(stageName(), "stage '" + stageName()
                + "' called proceedAsync() in a synchronous call of '" + chain() + "': call proceed()"));
    }

    private static StageContractException ended() {
        return new StageContractException("?", "proceed() on a call that has ended: an invocation is valid only while"
                + " its stage runs");
    }

    String stageName() {
        return chain == null ? "?" : chain.stageName(index);
    }

    @Override
    public String toString() {
        return "Invocation{" + (chain == null ? "ended" : chain.name + " at " + stageName() + ", attempt " + attempt
                + (endpoint == null ? "" : ", endpoint " + endpoint.name())) + '}';
    }
}
