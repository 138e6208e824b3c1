package dev.bulwark.bulkhead;

import dev.bulwark.internal.Check;
import dev.bulwark.internal.TaskFuture;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * A worker-pool bulkhead: a fixed number of worker threads and a bounded queue, so the work for
 * one dependency runs on threads of its own and cannot exhaust the caller's.
 *
 * <p>{@link #submit(Callable)} rejects at once with {@link BulkheadFullException} when workers and
 * queue are full; {@link #submit(Callable, Duration)} waits for room at most the given time.
 * Cancelling a returned future with {@code cancel(true)} interrupts the task if it is running.
 * {@link #close()} stops taking work and lets the queued work finish; {@link #closeNow()} cancels
 * queued work and interrupts running work.
 *
 * <pre>{@code
 * try (WorkerPool pool = WorkerPool.builder("thumbnails").workers(4).queueCapacity(100).build()) {
 *     CompletableFuture<String> thumbnail = pool.submit(() -> "thumbnail of image 42");
 * }
 * }</pre>
 */
public final class WorkerPool implements AutoCloseable {
    private final String name;
    private final int workers;
    private final int queueCapacity;
    private final BlockingQueue<Runnable> queue;
    private final ThreadPoolExecutor executor;
    // Admission counts tasks, not queue slots: a task holds its place from submit until just before
    // its future completes, so a caller that sees its task done can always submit the next one,
    // whether or not the worker has looped back to the queue yet.
    private final Semaphore capacity;
    private final LongAdder rejected = new LongAdder();
    private final LongAdder completed = new LongAdder();

    private WorkerPool(Builder b) {
        this.name = b.name;
        this.workers = b.workers;
        this.queueCapacity = b.queueCapacity;
        this.capacity = new Semaphore(workers + queueCapacity);
        this.queue = new LinkedBlockingQueue<>();
        AtomicInteger threadNumber = new AtomicInteger();
        this.executor = new ThreadPoolExecutor(workers, workers, 0, TimeUnit.MILLISECONDS, queue, runnable -> {
            Thread thread = new Thread(runnable, "bulwark-" + name + "-" + threadNumber.incrementAndGet());
            thread.setDaemon(b.daemon);
            return thread;
        }, new ThreadPoolExecutor.AbortPolicy()) {
            @Override
            protected void afterExecute(Runnable task, Throwable error) {
                completed.increment();
            }
        };
        executor.prestartAllCoreThreads();
    }

    public static Builder builder(String name) {
        return new Builder(Check.name("name", name));
    }

    public String name() {
        return name;
    }

    /** Runs {@code task} on a worker, or rejects it at once if workers and queue are full or the pool is closed. */
    public <T> CompletableFuture<T> submit(Callable<T> task) {
        Check.notNull("task", task);
        if (executor.isShutdown() || !capacity.tryAcquire()) {
            rejected.increment();
            throw rejection(0);
        }
        return start(task, 0);
    }

    /** Runs {@code task} on a worker, waiting at most {@code maxWait} for room. */
    public <T> CompletableFuture<T> submit(Callable<T> task, Duration maxWait) {
        Check.notNull("task", task);
        long wait = Check.nanos(Check.nonNegative("maxWait", maxWait));
        boolean admitted = false;
        if (!executor.isShutdown()) {
            try {
                admitted = capacity.tryAcquire(wait, TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (!admitted) {
            rejected.increment();
            throw rejection(wait);
        }
        return start(task, wait);
    }

    private <T> CompletableFuture<T> start(Callable<T> task, long waitedNanos) {
        // A task cancelled while queued leaves the queue at once, so the queue never holds more
        // than its capacity, however many tasks are submitted and cancelled.
        TaskFuture<T> future = new TaskFuture<>(task, capacity::release, queue::remove);
        try {
            executor.execute(future);
        } catch (RejectedExecutionException closed) {
            capacity.release();
            rejected.increment();
            throw rejection(waitedNanos);
        }
        return future;
    }

    /** Tasks waiting for a worker. */
    public int queued() {
        return queue.size();
    }

    /** Tasks running now. */
    public int active() {
        return executor.getActiveCount();
    }

    /** Tasks finished, successfully or not, since creation. */
    public long completed() {
        return completed.sum();
    }

    /** Submissions rejected since creation. */
    public long rejected() {
        return rejected.sum();
    }

    /**
     * Stops taking work and waits until the queued and running tasks have finished. Returns
     * whether they finished within {@code timeout}.
     */
    public boolean close(Duration timeout) {
        long wait = Check.nanos(Check.nonNegative("timeout", timeout)); // a bad argument must not close the pool
        executor.shutdown();
        try {
            return executor.awaitTermination(wait, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Stops taking work and waits, without limit, for the queued and running tasks to finish. */
    @Override
    public void close() {
        close(Duration.ofNanos(Long.MAX_VALUE));
    }

    /**
     * Stops taking work, cancels the queued tasks (their futures complete as cancelled) and
     * interrupts the running ones. Returns the futures it cancelled.
     */
    public List<CompletableFuture<?>> closeNow() {
        executor.shutdown();
        List<Runnable> drained = new ArrayList<>();
        queue.drainTo(drained);
        List<CompletableFuture<?>> cancelled = new ArrayList<>();
        for (Runnable r : drained) {
            if (r instanceof TaskFuture<?> f && f.cancel(true)) {
                cancelled.add(f);
            }
        }
        executor.shutdownNow(); // interrupts running tasks; TaskFuture confines the interrupt
        return cancelled;
    }

    /** Whether the pool has stopped and every task has finished. */
    public boolean isTerminated() {
        return executor.isTerminated();
    }

    /** A rejection naming this pool and its capacity. */
    public BulkheadFullException rejection(long waitedNanos) {
        return new BulkheadFullException(name, executor.isShutdown() ? "closed"
                : workers + " workers, queue " + queueCapacity, waitedNanos);
    }

    @Override
    public String toString() {
        return "WorkerPool{" + name + ", workers=" + workers + ", active=" + active() + ", queued=" + queued()
                + "/" + queueCapacity + '}';
    }

    /** Builds a {@link WorkerPool}. */
    public static final class Builder {
        private final String name;
        private int workers = Runtime.getRuntime().availableProcessors();
        private int queueCapacity = 100;
        private boolean daemon = true;

        private Builder(String name) {
            this.name = name;
        }

        /** Worker threads (default: the number of processors). */
        public Builder workers(int threads) {
            workers = Check.between("workers", threads, 1, 10_000);
            return this;
        }

        /**
         * Tasks that may wait for a worker (default 100); with 0 none waits, and a submit succeeds
         * only while fewer than {@code workers} tasks are running.
         */
        public Builder queueCapacity(int tasks) {
            queueCapacity = Check.between("queueCapacity", tasks, 0, 10_000_000);
            return this;
        }

        /** Whether workers are daemon threads, which do not keep the JVM alive (default true). */
        public Builder daemon(boolean daemonThreads) {
            daemon = daemonThreads;
            return this;
        }

        public WorkerPool build() {
            return new WorkerPool(this);
        }
    }
}
