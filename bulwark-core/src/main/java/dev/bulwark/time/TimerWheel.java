package dev.bulwark.time;

import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Timers for delays of tens of milliseconds and more, mostly cancelled before they fire (a
 * timeout per call, a probe timer): scheduling one adds it to a lock-free queue and wakes no
 * thread, so a call's timeout costs no context switch. One thread ticks every {@link #TICK_NANOS}
 * while timers are pending, files new ones into a wheel of buckets (dropping those already
 * cancelled: most calls end within a tick), and hands the ones due to {@code fire}, which runs
 * them elsewhere. A timer fires at most one tick late; none fires early. The thread parks without
 * a deadline while nothing is pending.
 */
final class TimerWheel {
    static final long TICK_NANOS = 5_000_000L;
    private static final int BUCKETS = 512; // 2.56 s a revolution

    /** One timer. */
    static final class Timer implements Scheduler.Cancellable {
        final Runnable task;
        final long deadline;
        private final java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
        private final TimerWheel wheel;

        Timer(Runnable task, long deadline, TimerWheel wheel) {
            this.task = task;
            this.deadline = deadline;
            this.wheel = wheel;
        }

        @Override
        public boolean cancel() {
            if (done.compareAndSet(false, true)) {
                wheel.pending.decrementAndGet();
                return true;
            }
            return false;
        }

        boolean isDone() {
            return done.get();
        }

        /** Claims the timer for firing; false if it was cancelled first. */
        boolean claim() {
            return done.compareAndSet(false, true);
        }
    }

    private final ConcurrentLinkedQueue<Timer> incoming = new ConcurrentLinkedQueue<>();
    @SuppressWarnings("unchecked")
    private final ArrayDeque<Timer>[] buckets = new ArrayDeque[BUCKETS];
    private final AtomicInteger pending = new AtomicInteger();
    private final Executor fire;
    private final Thread worker;
    private final ArrayDeque<Timer> notYet = new ArrayDeque<>();
    private long tick;
    private long start;

    TimerWheel(Executor fire, String threadName) {
        this.fire = fire;
        for (int i = 0; i < BUCKETS; i++) {
            buckets[i] = new ArrayDeque<>();
        }
        this.worker = new Thread(this::run, threadName);
        worker.setDaemon(true);
        worker.start();
    }

    /** Schedules {@code task} at {@code deadline} (a {@code System.nanoTime()} reading). */
    Timer schedule(Runnable task, long deadline) {
        Timer timer = new Timer(task, deadline, this);
        incoming.add(timer);
        if (pending.getAndIncrement() == 0) {
            LockSupport.unpark(worker); // it parks without a deadline while nothing is pending
        }
        return timer;
    }

    private void run() {
        start = System.nanoTime();
        while (true) {
            if (pending.get() == 0) {
                LockSupport.park(this);
                start = System.nanoTime() - tick * TICK_NANOS; // keep the tick count steady across the pause
            }
            long next = start + (tick + 1) * TICK_NANOS;
            long wait = next - System.nanoTime();
            if (wait > 0) {
                LockSupport.parkNanos(this, wait);
                continue;
            }
            tick++;
            file();
            expire(buckets[(int) (tick % BUCKETS)], System.nanoTime());
        }
    }

    /** Moves new timers into their buckets; cancelled ones are dropped here. */
    private void file() {
        for (Timer t; (t = incoming.poll()) != null; ) {
            if (!t.isDone()) {
                place(t);
            }
        }
    }

    /**
     * Files {@code t} by the wheel's own time, this tick's (not the clock's: a thread catching up
     * on ticks after a pause would otherwise file a timer into a bucket it has already passed).
     */
    private void place(Timer t) {
        long tickTime = start + tick * TICK_NANOS;
        long ticksAway = Math.max(1, (t.deadline - tickTime + TICK_NANOS - 1) / TICK_NANOS);
        buckets[(int) ((tick + Math.min(ticksAway, BUCKETS)) % BUCKETS)].add(t);
    }

    /**
     * Fires the bucket's timers that are due, drops its cancelled ones, and files again those not
     * due yet (a timer more than a turn away, or one filed late), so none waits a turn too long.
     */
    private void expire(ArrayDeque<Timer> bucket, long now) {
        for (Iterator<Timer> it = bucket.iterator(); it.hasNext(); ) {
            Timer t = it.next();
            if (t.isDone()) {
                it.remove();
            } else if (t.deadline - now <= 0) {
                it.remove();
                if (t.claim()) { // a cancel racing this loses: the task runs
                    pending.decrementAndGet();
                    fire.execute(t.task);
                }
            } else if (t.deadline - now < (BUCKETS - 1) * TICK_NANOS) {
                it.remove();
                notYet.add(t);
            }
        }
        for (Timer t; (t = notYet.poll()) != null; ) {
            place(t);
        }
    }
}
