package dev.bulwark.internal;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A {@link CompletableFuture} that runs its own task and whose {@code cancel(true)} interrupts the
 * thread running it, as {@link java.util.concurrent.FutureTask}'s does (a plain CompletableFuture
 * ignores {@code mayInterruptIfRunning}). The interrupt is confined to the task: a worker thread
 * that moves on to the next task never receives a stale one.
 */
public final class TaskFuture<T> extends CompletableFuture<T> implements Runnable {
    private static final int NEW = 0;
    private static final int RUNNING = 1;
    private static final int INTERRUPTING = 2;
    private static final int FINISHED = 3;

    private final Callable<T> task;
    private final Runnable onFinish;
    private final Consumer<? super TaskFuture<T>> onCancelledBeforeStart;
    private final AtomicInteger state = new AtomicInteger(NEW);
    private volatile Thread runner;

    public TaskFuture(Callable<T> task) {
        this(task, () -> { }, future -> { });
    }

    /**
     * A future running {@code task} that calls {@code onFinish} exactly once, before the future
     * completes: when the task has run, or when it is cancelled before it starts. A pool uses it
     * to free the task's capacity before anyone can observe the task done. A task cancelled
     * before it starts also calls {@code onCancelledBeforeStart}, after {@code onFinish}, so the
     * pool can drop it from its queue at once.
     */
    public TaskFuture(Callable<T> task, Runnable onFinish) {
        this(task, onFinish, future -> { });
    }

    /** As {@link #TaskFuture(Callable, Runnable)}, telling {@code onCancelledBeforeStart} which task never ran. */
    public TaskFuture(Callable<T> task, Runnable onFinish, Consumer<? super TaskFuture<T>> onCancelledBeforeStart) {
        this.task = task;
        this.onFinish = onFinish;
        this.onCancelledBeforeStart = onCancelledBeforeStart;
    }

    @Override
    public void run() {
        runner = Thread.currentThread();
        if (!state.compareAndSet(NEW, RUNNING)) {
            runner = null;
            return; // cancelled before it started
        }
        T result = null;
        Throwable error = null;
        try {
            result = task.call();
        } catch (Throwable e) {
            error = e;
        }
        try {
            onFinish.run();
            if (error == null) {
                complete(result);
            } else {
                completeExceptionally(error);
            }
        } finally {
            if (!state.compareAndSet(RUNNING, FINISHED)) {
                // A cancel is interrupting us: wait for the interrupt to land, then clear it so
                // it cannot leak into whatever this thread runs next.
                while (state.get() == INTERRUPTING) {
                    Thread.onSpinWait();
                }
                Thread.interrupted();
            }
            runner = null;
        }
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
        if (state.compareAndSet(NEW, FINISHED)) {
            onFinish.run(); // it will never run: free its capacity before the future reads as cancelled
            onCancelledBeforeStart.accept(this);
            return super.cancel(mayInterruptIfRunning);
        }
        boolean cancelled = super.cancel(mayInterruptIfRunning);
        if (cancelled) {
            if (mayInterruptIfRunning && state.compareAndSet(RUNNING, INTERRUPTING)) {
                Thread thread = runner;
                try {
                    if (thread != null) {
                        thread.interrupt();
                    }
                } finally {
                    state.set(FINISHED);
                }
            }
        }
        return cancelled;
    }
}
