package dev.bulwark.call;

import dev.bulwark.CallContext;
import dev.bulwark.fallback.StaleCache;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/** Remembers successes per key and answers failures with a young-enough last value; no key, no cache. */
final class StaleCacheStage implements Stage, BuiltIn {
    private final StaleCache<Object, Object> cache;
    private final Function<CallContext, ?> keyOf;

    @SuppressWarnings("unchecked")
    StaleCacheStage(StaleCache<?, ?> cache, Function<CallContext, ?> keyOf) {
        this.cache = (StaleCache<Object, Object>) cache;
        this.keyOf = keyOf;
    }

    @Override
    public Object call(Invocation invocation) throws Exception {
        Object key = keyOf.apply(invocation.context());
        return key == null ? invocation.proceed() : cache.call(key, invocation::proceed);
    }

    @Override
    public Link link(int index, Link next) {
        return new Link(index) {
            @Override
            Object call(Frame frame) throws Exception {
                Object key = keyOf.apply(frame.context());
                return key == null ? next.call(frame) : cache.call(key, () -> next.call(frame));
            }
        };
    }

    @Override
    public CompletableFuture<Object> callAsync(Invocation invocation) {
        Object key;
        try {
            key = keyOf.apply(invocation.context());
        } catch (Throwable e) {
            return CompletableFuture.failedFuture(e);
        }
        return key == null ? invocation.proceedAsync() : cache.callAsync(key, invocation::proceedAsync);
    }

    @Override
    public StageKind kind() {
        return StageKind.STALE_CACHE;
    }

    @Override
    public String name() {
        return "stale cache '" + cache.name() + "'";
    }
}
