package dev.bulwark.micrometer;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

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

    /**
     * Registers and remembers a gauge of {@code obj} on {@code registry}, reading {@code value} at
     * each scrape and holding {@code obj} strongly (so the gauge never turns NaN while bound).
     */
    <T> Gauge gauge(MeterRegistry registry, String name, T obj, ToDoubleFunction<T> value, String description, Tags tags) {
        return add(registry, Gauge.builder(name, obj, value).description(description).tags(tags).strongReference(true)
                .register(registry));
    }

    /** As {@link #gauge}, for a duration read in nanoseconds. */
    <T> TimeGauge timeGauge(MeterRegistry registry, String name, T obj, ToDoubleFunction<T> nanos, String description,
            Tags tags) {
        return add(registry, TimeGauge.builder(name, obj, TimeUnit.NANOSECONDS, nanos).description(description).tags(tags)
                .strongReference(true).register(registry));
    }

    /** Removes every meter remembered from its registry, and forgets them. */
    void removeAll() {
        for (Bound bound : meters) {
            bound.registry.remove(bound.meter);
        }
        meters.clear();
    }
}
