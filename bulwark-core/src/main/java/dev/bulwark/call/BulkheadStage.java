package dev.bulwark.call;

import dev.bulwark.bulkhead.Bulkhead;
import java.util.concurrent.CompletableFuture;

/** Caps the attempts running at once; an asynchronous attempt never waits for room. */
final class BulkheadStage implements Stage, BuiltIn {
    private final Bulkhead bulkhead;

    BulkheadStage(Bulkhead bulkhead) {
        this.bulkhead = bulkhead;
    }

    @Override
    public Object call(Invocation invocation) throws Exception {
        if (!bulkhead.acquirePermission()) {
            throw bulkhead.rejection(bulkhead.config().maxWait());
        }
        try {
            return invocation.proceed();
        } finally {
            bulkhead.release();
        }
    }

    @Override
    public Link link(int index, Link next) {
        return new Link(index) {
            @Override
            Object call(Frame frame) throws Exception {
                if (!bulkhead.acquirePermission()) {
                    throw bulkhead.rejection(bulkhead.config().maxWait());
                }
                try {
                    return next.call(frame);
                } finally {
                    bulkhead.release();
                }
            }
        };
    }

    @Override
    public CompletableFuture<Object> callAsync(Invocation invocation) {
        return bulkhead.callAsync(invocation::proceedAsync);
    }

    @Override
    public StageKind kind() {
        return StageKind.BULKHEAD;
    }

    @Override
    public String name() {
        return "bulkhead '" + bulkhead.name() + "'";
    }
}
