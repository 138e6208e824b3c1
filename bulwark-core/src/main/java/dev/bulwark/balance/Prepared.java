package dev.bulwark.balance;

import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

/**
 * A table a balancer precomputes from one endpoint snapshot (an alias table, a schedule, a hash
 * table), rebuilt when the snapshot's version changes. Racing rebuilds are harmless: each builds
 * the same table and the last one wins; a pick never waits.
 */
final class Prepared<T> {
    private record Entry<T>(long version, T table) {
    }

    private final AtomicReference<Entry<T>> current = new AtomicReference<>();

    <E extends Endpoint> T of(EndpointSet<E> endpoints, Function<EndpointSet<E>, T> build) {
        Entry<T> entry = current.get();
        if (entry == null || entry.version() != endpoints.version()) {
            entry = new Entry<>(endpoints.version(), build.apply(endpoints));
            current.set(entry);
        }
        return entry.table();
    }
}
