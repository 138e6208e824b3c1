package dev.bulwark.http.internal;

import dev.bulwark.balance.Endpoint;
import dev.bulwark.bulkhead.Bulkhead;
import dev.bulwark.bulkhead.BulkheadConfig;
import dev.bulwark.call.Invocation;
import dev.bulwark.call.Stage;
import dev.bulwark.call.StageKind;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A bulkhead per instance, after the pick: java.net.http has no limit of connections or calls per
 * host, so one slow instance could hold every call. An attempt over its instance's cap never
 * leaves; it fails with {@link InstanceBusyException}, which retry takes to another instance.
 */
public final class InstanceBulkheads implements Stage {
    private final String service;
    private final int maxConcurrent;
    private final Map<String, Bulkhead> byInstance = new ConcurrentHashMap<>();

    public InstanceBulkheads(String service, int maxConcurrent) {
        this.service = service;
        this.maxConcurrent = maxConcurrent;
    }

    @Override
    public String name() {
        return "instance bulkheads (" + maxConcurrent + " calls each)";
    }

    @Override
    public StageKind kind() {
        return StageKind.CUSTOM;
    }

    @Override
    public Object call(Invocation invocation) throws Exception {
        Bulkhead bulkhead = bulkhead(invocation.endpoint());
        if (!bulkhead.tryAcquirePermission()) {
            throw new InstanceBusyException(invocation.endpoint().name(), maxConcurrent);
        }
        try {
            return invocation.proceed();
        } finally {
            bulkhead.release();
        }
    }

    @Override
    public CompletableFuture<Object> callAsync(Invocation invocation) {
        Bulkhead bulkhead = bulkhead(invocation.endpoint());
        if (!bulkhead.tryAcquirePermission()) {
            return CompletableFuture.failedFuture(new InstanceBusyException(invocation.endpoint().name(), maxConcurrent));
        }
        CompletableFuture<Object> inner = invocation.proceedAsync();
        inner.whenComplete((r, e) -> bulkhead.release());
        return inner;
    }

    /** Calls in flight on the instance named {@code name}. */
    public int inFlight(String name) {
        Bulkhead b = byInstance.get(name);
        return b == null ? 0 : b.inFlight();
    }

    private Bulkhead bulkhead(Endpoint endpoint) {
        return byInstance.computeIfAbsent(endpoint.name(),
                n -> Bulkhead.of(service + "@" + n, BulkheadConfig.of(maxConcurrent)));
    }
}
