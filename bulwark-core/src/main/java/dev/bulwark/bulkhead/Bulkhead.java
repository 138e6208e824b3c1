package dev.bulwark.bulkhead;

import dev.bulwark.CallFailedException;
import dev.bulwark.internal.Check;
import dev.bulwark.internal.Futures;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;

/**
 * Caps how many calls run at once, so a slow dependency cannot take every thread with it.
 *
 * <p>A semaphore bulkhead: a call takes a permit or is rejected with {@link BulkheadFullException},
 * after waiting at most {@code maxWait}. The limit changes live with {@link #reconfigure(BulkheadConfig)};
 * lowering it lets running calls finish and admits new ones only once they fit.
 *
 * <pre>{@code
 * Bulkhead bulkhead = Bulkhead.of("reports", BulkheadConfig.of(10));
 * String report = bulkhead.call(() -> "report 42, rendered");
 * }</pre>
 *
 * Built on {@link Semaphore} (non-fair), whose uncontended acquire and release are a CAS each and
 * allocate nothing; only a call that has to wait queues.
 */
public final class Bulkhead {
    private final String name;
    private final Permits permits;
    private final AtomicReference<BulkheadConfig> config;

    private Bulkhead(String name, BulkheadConfig config) {
        this.name = name;
        this.config = new AtomicReference<>(config);
        this.permits = new Permits(config.maxConcurrent());
    }

    public static Bulkhead of(String name, BulkheadConfig config) {
        return new Bulkhead(Check.name("name", name), Check.notNull("config", config));
    }

    public String name() {
        return name;
    }

    public BulkheadConfig config() {
        return config.get();
    }

    /** Takes a permit if one is free now. Lock-free, allocation-free. */
    public boolean tryAcquirePermission() {
        return permits.tryAcquire();
    }

    /**
     * Takes a permit, waiting at most the configured {@code maxWait}. Returns false if none freed up
     * in time, or if the thread was interrupted while waiting (its interrupt status is set again).
     */
    public boolean acquirePermission() {
        return acquirePermission(config.get().maxWait());
    }

    /** Takes a permit, waiting at most {@code maxWait}; see {@link #acquirePermission()}. */
    public boolean acquirePermission(Duration maxWait) {
        if (permits.tryAcquire()) {
            return true;
        }
        long wait = Check.nanos(maxWait);
        if (wait <= 0) {
            return false;
        }
        try {
            return permits.tryAcquire(wait, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Gives back a permit taken by {@link #tryAcquirePermission()} or {@link #acquirePermission()}. */
    public void release() {
        permits.release();
    }

    /** Runs {@code task} holding a permit, waiting at most {@code maxWait} for one. */
    public <T> T call(Callable<T> task) {
        if (!acquirePermission()) {
            throw rejection(config.get().maxWait());
        }
        try {
            return task.call();
        } catch (Exception e) {
            throw CallFailedException.propagate(e);
        } finally {
            permits.release();
        }
    }

    /**
     * Starts {@code task} if a permit is free now (an asynchronous caller never waits for one);
     * the permit is held until the task's stage completes. Cancelling the returned future cancels
     * the task's and frees the permit.
     */
    public <T> CompletableFuture<T> callAsync(Supplier<? extends CompletionStage<T>> task) {
        if (!permits.tryAcquire()) {
            return CompletableFuture.failedFuture(rejection(Duration.ZERO));
        }
        CompletableFuture<T> source = Futures.start(task);
        CompletableFuture<T> result = Futures.dependent(source);
        source.whenComplete((value, error) -> {
            permits.release();
            Futures.complete(result, value, Futures.unwrap(error));
        });
        return result;
    }

    /** Applies new limits to this live bulkhead; calls running keep their permits. */
    public void reconfigure(BulkheadConfig next) {
        Check.notNull("config", next);
        BulkheadConfig old = config.getAndSet(next);
        int delta = next.maxConcurrent() - old.maxConcurrent();
        if (delta > 0) {
            permits.release(delta);
        } else if (delta < 0) {
            permits.reduce(-delta);
        }
    }

    /** Calls holding a permit now. */
    public int inFlight() {
        return config.get().maxConcurrent() - permits.availablePermits();
    }

    /** Permits free now (negative while a lowered limit waits for running calls to finish). */
    public int available() {
        return permits.availablePermits();
    }

    /** A rejection naming this bulkhead and its limit. */
    public BulkheadFullException rejection(Duration waited) {
        return new BulkheadFullException(name, "max " + config.get().maxConcurrent() + " concurrent", Check.nanos(waited));
    }

    @Override
    public String toString() {
        return "Bulkhead{" + name + ", " + inFlight() + "/" + config.get().maxConcurrent() + '}';
    }

    private static final class Permits extends Semaphore {
        private static final long serialVersionUID = 1L;

        Permits(int permits) {
            super(permits);
        }

        void reduce(int by) {
            reducePermits(by);
        }
    }
}
