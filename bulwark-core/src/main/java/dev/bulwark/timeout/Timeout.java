package dev.bulwark.timeout;

import dev.bulwark.CallContext;
import dev.bulwark.CallFailedException;
import dev.bulwark.internal.Check;
import dev.bulwark.internal.Futures;
import dev.bulwark.time.Scheduler;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Limits a call's time and stops the call when the limit passes, rather than merely ceasing to wait.
 *
 * <p>A synchronous call runs on the calling thread (no thread hop, no pool to size); at the limit
 * the scheduler interrupts that thread, so blocking I/O, {@code sleep}, locks and queues give up.
 * The interrupt is confined to the call: it is cleared before {@code call} returns, so it never
 * leaks into the caller's later work. Code that ignores interrupts cannot be stopped this way; it
 * still ends in {@link CallTimeoutException} when it returns. An asynchronous call's future is
 * cancelled at the limit (with {@code cancel(true)}, so a task that honours it is interrupted).
 * The limit shrinks to the call context's deadline when that is sooner.
 *
 * <pre>{@code
 * Timeout timeout = Timeout.of("pricing", Duration.ofMillis(300));
 * String price = timeout.call(() -> "9.99");
 * }</pre>
 */
public final class Timeout {
    private final String name;
    private final long limitNanos;
    private final Scheduler scheduler;

    private Timeout(String name, long limitNanos, Scheduler scheduler) {
        this.name = name;
        this.limitNanos = limitNanos;
        this.scheduler = scheduler;
    }

    /** A timeout of {@code limit} on the system scheduler. */
    public static Timeout of(String name, Duration limit) {
        return of(name, limit, Scheduler.system());
    }

    /** A timeout of {@code limit}, timed and enforced by {@code scheduler}. */
    public static Timeout of(String name, Duration limit, Scheduler scheduler) {
        return new Timeout(Check.name("name", name), Check.nanos(Check.positive("limit", limit)),
                Check.notNull("scheduler", scheduler));
    }

    public String name() {
        return name;
    }

    public long limitNanos() {
        return limitNanos;
    }

    /** Runs {@code task} on this thread, interrupting it at the limit. */
    public <T> T call(Callable<T> task) {
        return call(CallContext.none(), task);
    }

    /** Runs {@code task} on this thread, interrupting it at the limit or the context's deadline. */
    public <T> T call(CallContext context, Callable<T> task) {
        long limit = effectiveLimit(context);
        if (limit <= 0) {
            throw new CallTimeoutException(name, limitNanos, null);
        }
        Interrupter interrupter = new Interrupter(Thread.currentThread());
        Scheduler.Cancellable timer = scheduler.schedule(interrupter, limit);
        T result = null;
        Throwable error = null;
        try {
            result = task.call();
        } catch (Throwable e) {
            error = e;
        }
        timer.cancel();
        if (interrupter.finish()) {
            throw new CallTimeoutException(name, limit, error);
        }
        if (error != null) {
            throw CallFailedException.propagate(error);
        }
        return result;
    }

    /** Starts {@code task}; at the limit the returned future fails and the task's future is cancelled. */
    public <T> CompletableFuture<T> callAsync(Supplier<? extends CompletionStage<T>> task) {
        return callAsync(CallContext.none(), task);
    }

    /** Starts {@code task}, limited by this timeout or the context's deadline if sooner. */
    public <T> CompletableFuture<T> callAsync(CallContext context, Supplier<? extends CompletionStage<T>> task) {
        long limit = effectiveLimit(context);
        CompletableFuture<T> result = new CompletableFuture<>();
        if (limit <= 0) {
            result.completeExceptionally(new CallTimeoutException(name, limitNanos, null));
            return result;
        }
        CompletableFuture<T> source = Futures.start(task);
        Scheduler.Cancellable timer = scheduler.schedule(() -> {
            if (result.completeExceptionally(new CallTimeoutException(name, limit, null))) {
                source.cancel(true);
            }
        }, limit);
        source.whenComplete((value, error) -> {
            timer.cancel();
            Futures.complete(result, value, Futures.unwrap(error));
        });
        // A caller that gives up on the result gives up on the work too.
        result.whenComplete((value, error) -> {
            if (result.isCancelled()) {
                timer.cancel();
                source.cancel(true);
            }
        });
        return result;
    }

    private long effectiveLimit(CallContext context) {
        return context.hasDeadline()
                ? Math.min(limitNanos, context.deadlineNanos(scheduler.ticker()) - scheduler.ticker().read())
                : limitNanos;
    }

    @Override
    public String toString() {
        return "Timeout{" + name + ", " + Duration.ofNanos(limitNanos) + '}';
    }

    /**
     * Interrupts the calling thread once, unless the call finished first. The handshake makes sure
     * an interrupt that fires as the call finishes is delivered before it is cleared, never after.
     */
    private static final class Interrupter implements Runnable {
        private static final int RUNNING = 0;
        private static final int INTERRUPTING = 1;
        private static final int INTERRUPTED = 2;
        private static final int FINISHED = 3;

        private final Thread thread;
        private final AtomicInteger state = new AtomicInteger(RUNNING);

        Interrupter(Thread thread) {
            this.thread = thread;
        }

        @Override
        public void run() {
            if (state.compareAndSet(RUNNING, INTERRUPTING)) {
                thread.interrupt();
                state.set(INTERRUPTED);
            }
        }

        /** Called by the calling thread when the task returns; true if the timeout fired. */
        boolean finish() {
            if (state.compareAndSet(RUNNING, FINISHED)) {
                return false;
            }
            while (state.get() == INTERRUPTING) {
                Thread.onSpinWait();
            }
            Thread.interrupted(); // ours, not the caller's: clear it
            return true;
        }
    }
}
