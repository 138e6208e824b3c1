package dev.bulwark.testing;

import dev.bulwark.InvalidConfigException;
import dev.bulwark.internal.Check;
import dev.bulwark.time.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A {@link Scheduler} on virtual time: scheduled tasks wait until the test moves the clock, and
 * sleeps return at once after moving it. Code that backs off, times out or expires entries runs
 * in microseconds and the same way every time.
 *
 * <pre>{@code
 * VirtualScheduler scheduler = new VirtualScheduler();
 * Retry retry = Retry.builder("payments").maxAttempts(3)
 *     .backoff(Backoff.exponential(Duration.ofMillis(100), 2, Duration.ofSeconds(1))).scheduler(scheduler).build();
 * int[] calls = {0};
 * retry.call(() -> ++calls[0] < 3 ? failWith("flaky") : "paid");   // backoff sleeps are instant
 * List<Long> slept = scheduler.sleeps();                            // [100_000_000, 200_000_000]
 *
 * CompletableFuture<String> reply = new CompletableFuture<>();
 * scheduler.schedule(() -> reply.complete("late"), Duration.ofMillis(50).toNanos());
 * scheduler.advance(Duration.ofMillis(50));      // runs every task due in those 50 ms: reply is done
 * }</pre>
 *
 * <h2>How time moves</h2>
 * Nothing runs on its own. {@link #schedule(Runnable, long)} queues a task due at
 * {@code now + max(0, delay)}; {@link #advance(Duration)} then runs every task due up to the target,
 * in due order (first scheduled first among equal due times), setting the {@linkplain #ticker()
 * ticker} to each task's due time before running it, so a task sees the time it was due at. Tasks
 * scheduled by those tasks run in the same advance if they fall due by the target. The ticker
 * finally rests at the target. {@link #sleep(long)} is an advance made by the sleeping thread.
 *
 * <h2>Threads</h2>
 * Tasks run on the thread that advances the clock (or sleeps), never while the scheduler's lock is
 * held, so they may schedule, cancel, advance or sleep themselves. Any thread may use the
 * scheduler, but results are deterministic only when one thread drives the clock; concurrent
 * sleepers each move the shared clock, which is what a load test on virtual time wants.
 *
 * <h2>Failures</h2>
 * A task that throws does not stop the clock: its exception (including an {@link AssertionError}
 * thrown from a task) is kept in {@link #taskFailures()}, which a test should check is empty.
 */
public final class VirtualScheduler implements Scheduler {

    private final FakeTicker ticker;
    private final ReentrantLock lock = new ReentrantLock();
    /** Queued tasks by due time, then by scheduling order; guarded by {@code lock}. */
    private final PriorityQueue<Task> queue = new PriorityQueue<>(
            Comparator.comparingLong((Task t) -> t.due).thenComparingLong(t -> t.sequence));
    private final List<Long> sleeps = new ArrayList<>();
    private final List<Throwable> failures = new ArrayList<>();
    private long nextSequence;
    private long totalSlept;

    /** A scheduler on a {@linkplain FakeTicker#FakeTicker() new fake ticker}. */
    public VirtualScheduler() {
        this(new FakeTicker());
    }

    /**
     * A scheduler on {@code ticker}, to share one clock with code that only reads a ticker. Moving
     * the ticker directly makes tasks due but does not run them: call {@link #runDue()}.
     */
    public VirtualScheduler(FakeTicker ticker) {
        this.ticker = Check.notNull("ticker", ticker);
    }

    /** The fake ticker this scheduler moves; reading it gives the current virtual time. */
    @Override
    public FakeTicker ticker() {
        return ticker;
    }

    /**
     * Queues {@code task} to run once the clock reaches {@code now + max(0, delayNanos)}. It never
     * runs during this call, even with no delay: see {@link #runDue()}.
     *
     * @return a handle whose {@code cancel()} removes the task if it has not started running
     */
    @Override
    public Cancellable schedule(Runnable task, long delayNanos) {
        Check.notNull("task", task);
        lock.lock();
        try {
            Task queued = new Task(task, FakeTicker.saturatedAdd(ticker.read(), Math.max(0, delayNanos)), nextSequence++);
            queue.add(queued);
            return queued;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Moves the clock forward by {@code duration}, running every task due by then (see the class
     * description).
     *
     * @return how many tasks ran
     * @throws InvalidConfigException if {@code duration} is null or negative
     */
    public int advance(Duration duration) {
        return advance(Check.nanos(Check.nonNegative("duration", duration)));
    }

    /**
     * Moves the clock forward by {@code nanos} nanoseconds, running every task due by then (see
     * the class description).
     *
     * @return how many tasks ran
     * @throws InvalidConfigException if {@code nanos} is negative: time never goes backwards
     */
    public int advance(long nanos) {
        if (nanos < 0) {
            throw new InvalidConfigException("nanos", nanos, "a number of nanoseconds >= 0 (time never goes backwards)");
        }
        return runUntil(FakeTicker.saturatedAdd(ticker.read(), nanos), false);
    }

    /**
     * Runs the tasks due now without moving the clock, including tasks they schedule with no delay
     * (so a task that always reschedules itself with no delay never lets this return).
     *
     * @return how many tasks ran
     */
    public int runDue() {
        return runUntil(ticker.read(), false);
    }

    /** The number of tasks queued and neither run nor cancelled. */
    public int pendingTasks() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Sleeps in virtual time: advances the clock by {@code nanos} (running due tasks, as
     * {@link #advance(long)} does) and returns at once. The sleep is recorded in {@link #sleeps()}.
     *
     * <p>As with {@link Thread#sleep(long)}, an interrupt ends the sleep: if the thread is
     * interrupted on entry, nothing happens and nothing is recorded; if a task run by this sleep
     * interrupts it (as a timeout does), the clock stops at that task's due time and the time slept
     * so far is recorded. Either way the interrupt status is cleared and
     * {@link InterruptedException} is thrown. A zero or negative sleep runs the tasks due now and
     * is recorded as 0.
     */
    @Override
    public void sleep(long nanos) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException("interrupted before sleeping " + nanos + "ns in virtual time");
        }
        long start = ticker.read();
        long wanted = Math.max(0, nanos);
        runUntil(FakeTicker.saturatedAdd(start, wanted), true);
        boolean interrupted = Thread.interrupted();
        // Other threads may move the clock too: never record more than was asked for.
        long slept = interrupted ? Math.min(wanted, Math.max(0, ticker.read() - start)) : wanted;
        lock.lock();
        try {
            sleeps.add(slept);
            totalSlept = FakeTicker.saturatedAdd(totalSlept, slept);
        } finally {
            lock.unlock();
        }
        if (interrupted) {
            throw new InterruptedException("interrupted after sleeping " + slept + "ns of " + wanted + "ns in virtual time");
        }
    }

    /** The nanoseconds slept by each {@link #sleep(long)} call, in the order they ended (a copy). */
    public List<Long> sleeps() {
        lock.lock();
        try {
            return List.copyOf(sleeps);
        } finally {
            lock.unlock();
        }
    }

    /** The sum of {@link #sleeps()}, saturating at {@link Long#MAX_VALUE}. */
    public long totalSleptNanos() {
        lock.lock();
        try {
            return totalSlept;
        } finally {
            lock.unlock();
        }
    }

    /** What the tasks that threw have thrown, in the order they ran (a copy). */
    public List<Throwable> taskFailures() {
        lock.lock();
        try {
            return List.copyOf(failures);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Runs the tasks due by {@code target} in order, then moves the clock to {@code target}; when
     * {@code stopOnInterrupt}, stops early, leaving the clock at the last task's due time, once the
     * calling thread is interrupted.
     */
    private int runUntil(long target, boolean stopOnInterrupt) {
        int ran = 0;
        while (true) {
            Task next;
            lock.lock();
            try {
                next = queue.peek();
                if (next == null || next.due > target) {
                    break;
                }
                queue.poll();
            } finally {
                lock.unlock();
            }
            ticker.moveTo(next.due);
            run(next.task);
            ran++;
            if (stopOnInterrupt && Thread.currentThread().isInterrupted()) {
                return ran;
            }
        }
        ticker.moveTo(target);
        return ran;
    }

    private void run(Runnable task) {
        try {
            task.run();
        } catch (Throwable failure) { // test tooling: keep assertion errors too, and keep the clock going
            lock.lock();
            try {
                failures.add(failure);
            } finally {
                lock.unlock();
            }
        }
    }

    @Override
    public String toString() {
        return "VirtualScheduler{now=" + ticker.read() + "ns, pending=" + pendingTasks() + '}';
    }

    /** A queued task; cancelling it takes it off the queue. */
    private final class Task implements Cancellable {
        final Runnable task;
        final long due;
        final long sequence;

        Task(Runnable task, long due, long sequence) {
            this.task = task;
            this.due = due;
            this.sequence = sequence;
        }

        @Override
        public boolean cancel() {
            lock.lock();
            try {
                return queue.remove(this);
            } finally {
                lock.unlock();
            }
        }
    }
}
