package dev.bulwark.micrometer;

import dev.bulwark.bulkhead.Bulkhead;
import dev.bulwark.internal.Check;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * Gauges of one semaphore {@link Bulkhead}, tagged {@code name} (the bulkhead's):
 * {@code bulwark.bulkhead.in.flight} (calls holding a permit), {@code bulwark.bulkhead.available}
 * (permits free; negative while a lowered limit waits for running calls) and
 * {@code bulwark.bulkhead.max.concurrent} (the limit, which may change live). The meters hold the
 * bulkhead strongly until {@link #close()}. Thread-safe.
 */
public final class BulkheadMeters implements MeterBinder, AutoCloseable {
    private final Bulkhead bulkhead;
    private final Tags tags;
    private final BoundMeters meters = new BoundMeters();

    private BulkheadMeters(Bulkhead bulkhead) {
        this.bulkhead = bulkhead;
        this.tags = Tags.of(CircuitBreakerMeters.NAME_TAG, bulkhead.name());
    }

    /** Gauges for {@code bulkhead}; bind them with {@link #bindTo(MeterRegistry)}. */
    public static BulkheadMeters of(Bulkhead bulkhead) {
        return new BulkheadMeters(Check.notNull("bulkhead", bulkhead));
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Check.notNull("registry", registry);
        meters.gauge(registry, "bulwark.bulkhead.in.flight", bulkhead, Bulkhead::inFlight,
                "Calls holding a permit of the bulkhead now", tags);
        meters.gauge(registry, "bulwark.bulkhead.available", bulkhead, Bulkhead::available,
                "Permits of the bulkhead free now", tags);
        meters.gauge(registry, "bulwark.bulkhead.max.concurrent", bulkhead, b -> b.config().maxConcurrent(),
                "Calls the bulkhead admits at once", tags);
    }

    /** Removes every meter this binder registered, from every registry. */
    @Override
    public void close() {
        meters.removeAll();
    }
}
