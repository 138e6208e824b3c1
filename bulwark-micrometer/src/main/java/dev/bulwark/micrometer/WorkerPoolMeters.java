package dev.bulwark.micrometer;

import dev.bulwark.bulkhead.WorkerPool;
import dev.bulwark.internal.Check;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;

/**
 * Meters of one {@link WorkerPool} bulkhead, tagged {@code name} (the pool's): gauges
 * {@code bulwark.worker.pool.queued} (tasks waiting for a worker) and {@code bulwark.worker.pool.active}
 * (tasks running), and counters {@code bulwark.worker.pool.completed} (tasks finished, successfully
 * or not) and {@code bulwark.worker.pool.rejected} (submissions turned away). The meters hold the
 * worker pool strongly until {@link #close()}. Thread-safe.
 */
public final class WorkerPoolMeters implements MeterBinder, AutoCloseable {
    private final WorkerPool workers;
    private final Tags tags;
    private final BoundMeters meters = new BoundMeters();

    private WorkerPoolMeters(WorkerPool workers) {
        this.workers = workers;
        this.tags = Tags.of(CircuitBreakerMeters.NAME_TAG, workers.name());
    }

    /** Meters for {@code workers}; bind them with {@link #bindTo(MeterRegistry)}. */
    public static WorkerPoolMeters of(WorkerPool workers) {
        return new WorkerPoolMeters(Check.notNull("workers", workers));
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Check.notNull("registry", registry);
        meters.gauge(registry, "bulwark.worker.pool.queued", workers, WorkerPool::queued,
                "Tasks waiting for a worker", tags);
        meters.gauge(registry, "bulwark.worker.pool.active", workers, WorkerPool::active,
                "Tasks running on a worker now", tags);
        meters.add(registry, FunctionCounter.builder("bulwark.worker.pool.completed", workers, WorkerPool::completed)
                .description("Tasks the workers finished, successfully or not")
                .tags(tags)
                .register(registry));
        meters.add(registry, FunctionCounter.builder("bulwark.worker.pool.rejected", workers, WorkerPool::rejected)
                .description("Submissions rejected because workers and queue were full or the pool closed")
                .tags(tags)
                .register(registry));
    }

    /** Removes every meter this binder registered, from every registry. */
    @Override
    public void close() {
        meters.removeAll();
    }
}
