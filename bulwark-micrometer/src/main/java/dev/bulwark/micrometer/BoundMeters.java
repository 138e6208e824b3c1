package dev.bulwark.micrometer;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The meters a binder registered, with the registry each went to, so that the binder can take
 * them out again when what they measure goes away (a policy removed from its registry, an endpoint
 * from its pool). A meter binder may be bound to several registries, hence the pairs.
 */
final class BoundMeters {
    private record Bound(MeterRegistry registry, Meter meter) {
    }

    private final List<Bound> meters = new CopyOnWriteArrayList<>();

    /** Remembers {@code meter}, registered on {@code registry}; returns it. */
    <M extends Meter> M add(MeterRegistry registry, M meter) {
        meters.add(new Bound(registry, meter));
        return meter;
    }

    /** Removes every meter remembered from its registry, and forgets them. */
    void removeAll() {
        for (Bound bound : meters) {
            bound.registry.remove(bound.meter);
        }
        meters.clear();
    }
}
