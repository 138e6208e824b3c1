package dev.bulwark.http.internal;

import dev.bulwark.CallContext;
import dev.bulwark.call.Invocation;
import dev.bulwark.call.Stage;
import dev.bulwark.internal.Errors;
import dev.bulwark.timeout.CallTimeoutException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Marks an attempt of a request that is not safe to repeat as not to be retried when a timeout cut
 * it off: it may have reached the server, and a POST must not arrive twice. Errors the exchange
 * itself reports are marked where they arise; this stage, after the pick and around the timeout,
 * catches the one that arises outside it.
 */
public final class NotRepeatable implements Stage {
    /** Present in a call's context when its request is not safe to repeat. */
    public static final CallContext.Key<Boolean> UNSAFE = CallContext.key("bulwark.http.unsafe");

    @Override
    public String name() {
        return "not repeatable once sent";
    }

    @Override
    public Object call(Invocation invocation) throws Exception {
        try {
            return invocation.proceed();
        } catch (CallTimeoutException e) {
            throw unsafe(invocation) ? new NotRetriedException(e) : e;
        }
    }

    @Override
    public CompletableFuture<Object> callAsync(Invocation invocation) {
        if (!unsafe(invocation)) {
            return invocation.proceedAsync();
        }
        CompletableFuture<Object> inner = invocation.proceedAsync();
        CompletableFuture<Object> marked = inner.handle((r, e) -> {
            if (e == null) {
                return r;
            }
            Throwable cause = Errors.unwrapCompletion(e);
            throw new CompletionException(cause instanceof CallTimeoutException ? new NotRetriedException(cause) : cause);
        });
        marked.whenComplete((r, e) -> {
            if (marked.isCancelled()) {
                inner.cancel(true);
            }
        });
        return marked;
    }

    private static boolean unsafe(Invocation invocation) {
        return Boolean.TRUE.equals(invocation.context().get(UNSAFE));
    }
}
