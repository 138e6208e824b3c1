package dev.bulwark.bulkhead;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WorkerPoolTest {
    private static final Duration AWAIT = Duration.ofSeconds(10);

    private final List<WorkerPool> pools = new CopyOnWriteArrayList<>();
    private final List<CountDownLatch> gates = new CopyOnWriteArrayList<>();
    private final List<Thread> threads = new CopyOnWriteArrayList<>();

    @AfterEach
    void cleanUp() throws InterruptedException {
        gates.forEach(g -> {
            while (g.getCount() > 0) {
                g.countDown();
            }
        });
        for (WorkerPool pool : pools) {
            pool.closeNow();
            assertThat(pool.close(Duration.ofSeconds(10))).as("pool %s terminated", pool.name()).isTrue();
        }
        for (Thread t : threads) {
            t.interrupt();
            t.join(10_000);
            assertThat(t.isAlive()).isFalse();
        }
    }

    private WorkerPool pool(int workers, int queueCapacity) {
        WorkerPool pool = WorkerPool.builder("thumbs").workers(workers).queueCapacity(queueCapacity).build();
        pools.add(pool);
        return pool;
    }

    private CountDownLatch gate() {
        CountDownLatch gate = new CountDownLatch(1);
        gates.add(gate);
        return gate;
    }

    /** A task that signals {@code started}, then blocks until {@code gate} opens, then returns {@code value}. */
    private static <T> java.util.concurrent.Callable<T> blocking(CountDownLatch started, CountDownLatch gate, T value) {
        return () -> {
            started.countDown();
            gate.await();
            return value;
        };
    }

    private Thread inThread(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        threads.add(thread);
        thread.start();
        return thread;
    }

    private static void awaitParked(Thread thread) {
        await().atMost(AWAIT).until(() ->
                thread.getState() == Thread.State.TIMED_WAITING || thread.getState() == Thread.State.WAITING);
    }

    /** Fills a 1-worker, 1-slot pool: one task running, one queued. Returns the gate that holds both. */
    private CountDownLatch fill(WorkerPool pool, List<CompletableFuture<String>> futures) throws InterruptedException {
        CountDownLatch gate = gate();
        CountDownLatch started = new CountDownLatch(1);
        futures.add(pool.submit(blocking(started, gate, "running")));
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        futures.add(pool.submit(blocking(new CountDownLatch(1), gate, "queued")));
        assertThat(pool.queued()).isEqualTo(1);
        assertThat(pool.active()).isEqualTo(1);
        return gate;
    }

    @Test
    void runsTasksOnItsOwnDaemonWorkers() throws Exception {
        WorkerPool pool = pool(2, 10);

        CompletableFuture<Thread> ran = pool.submit(Thread::currentThread);

        Thread worker = ran.get(10, TimeUnit.SECONDS);
        assertThat(worker).isNotSameAs(Thread.currentThread());
        assertThat(worker.getName()).startsWith("bulwark-thumbs-");
        assertThat(worker.isDaemon()).isTrue();
        await().atMost(AWAIT).until(() -> pool.completed() == 1);
        assertThat(pool.name()).isEqualTo("thumbs");
    }

    @Test
    void daemonFalseMakesNonDaemonWorkers() throws Exception {
        WorkerPool pool = WorkerPool.builder("fg").workers(1).daemon(false).build();
        pools.add(pool);

        assertThat(pool.submit(() -> Thread.currentThread().isDaemon()).get(10, TimeUnit.SECONDS)).isFalse();
    }

    @Test
    void aFailingTaskFailsItsFutureWithTheSameException() {
        WorkerPool pool = pool(1, 10);
        IllegalStateException boom = new IllegalStateException("boom");

        CompletableFuture<Object> future = pool.submit(() -> {
            throw boom;
        });

        assertThatThrownBy(() -> future.get(10, TimeUnit.SECONDS))
                .isInstanceOf(ExecutionException.class)
                .cause().isSameAs(boom);
        await().atMost(AWAIT).until(() -> pool.completed() == 1);
    }

    @Test
    void whenWorkersAndQueueAreFullSubmitRejectsAtOnce() throws Exception {
        WorkerPool pool = pool(1, 1);
        List<CompletableFuture<String>> futures = new ArrayList<>();
        CountDownLatch gate = fill(pool, futures);
        AtomicInteger extraRuns = new AtomicInteger();

        assertThatThrownBy(() -> pool.submit(extraRuns::incrementAndGet))
                .isInstanceOfSatisfying(BulkheadFullException.class, e -> {
                    assertThat(e.policyName()).isEqualTo("thumbs");
                    assertThat(e.getMessage()).contains("'thumbs'").contains("1 workers, queue 1");
                });
        assertThat(pool.rejected()).isEqualTo(1);

        gate.countDown();
        assertThat(futures.get(0).get(10, TimeUnit.SECONDS)).isEqualTo("running");
        assertThat(futures.get(1).get(10, TimeUnit.SECONDS)).isEqualTo("queued");
        await().atMost(AWAIT).until(() -> pool.completed() == 2);
        assertThat(extraRuns).as("the rejected task never ran").hasValue(0);
        assertThat(pool.rejected()).isEqualTo(1);
    }

    @Test
    void submitWithMaxWaitGetsInWhenRoomFrees() throws Exception {
        WorkerPool pool = pool(1, 1);
        List<CompletableFuture<String>> futures = new ArrayList<>();
        CountDownLatch gate = fill(pool, futures);
        AtomicReference<CompletableFuture<String>> third = new AtomicReference<>();
        AtomicReference<Throwable> submitError = new AtomicReference<>();

        Thread submitter = inThread("submitter", () -> {
            try {
                third.set(pool.submit(() -> "third", Duration.ofSeconds(30)));
            } catch (Throwable e) {
                submitError.set(e);
            }
        });
        awaitParked(submitter);
        assertThat(third.get()).as("still waiting for room").isNull();

        gate.countDown();

        submitter.join(10_000);
        assertThat(submitError.get()).isNull();
        assertThat(third.get().get(10, TimeUnit.SECONDS)).isEqualTo("third");
        assertThat(pool.rejected()).isZero();
    }

    @Test
    void submitWithAShortWaitIsRejectedWhenNoRoomFrees() throws Exception {
        WorkerPool pool = pool(1, 1);
        fill(pool, new ArrayList<>());
        AtomicInteger runs = new AtomicInteger();

        assertThatThrownBy(() -> pool.submit(runs::incrementAndGet, Duration.ofMillis(20)))
                .isInstanceOf(BulkheadFullException.class)
                .hasMessageContaining("'thumbs'")
                .hasMessageContaining("waited PT0.02S");
        assertThat(pool.rejected()).isEqualTo(1);
        assertThat(pool.queued()).isEqualTo(1);
        assertThat(runs).hasValue(0);
    }

    @Test
    void closeStopsTakingWorkButDrainsTheQueuedWork() throws Exception {
        WorkerPool pool = pool(1, 1);
        List<CompletableFuture<String>> futures = new ArrayList<>();
        CountDownLatch gate = fill(pool, futures);

        Thread closer = inThread("closer", pool::close);
        await().atMost(AWAIT).until(() -> pool.rejection(0).getMessage().contains("closed"));
        assertThat(closer.isAlive()).as("close waits for the work").isTrue();
        assertThatThrownBy(() -> pool.submit(() -> "late"))
                .isInstanceOf(BulkheadFullException.class).hasMessageContaining("closed");
        assertThatThrownBy(() -> pool.submit(() -> "late", Duration.ofSeconds(30)))
                .isInstanceOf(BulkheadFullException.class).hasMessageContaining("closed");
        assertThat(pool.rejected()).isEqualTo(2);

        gate.countDown();

        closer.join(10_000);
        assertThat(closer.isAlive()).isFalse();
        assertThat(futures.get(0)).isCompletedWithValue("running");
        assertThat(futures.get(1)).as("queued work ran to completion").isCompletedWithValue("queued");
        assertThat(pool.isTerminated()).isTrue();
    }

    @Test
    void closeWithATimeoutReportsWhetherTheWorkFinished() throws Exception {
        WorkerPool pool = pool(1, 1);
        List<CompletableFuture<String>> futures = new ArrayList<>();
        CountDownLatch gate = fill(pool, futures);

        assertThat(pool.close(Duration.ofMillis(20))).isFalse();
        assertThat(pool.isTerminated()).isFalse();

        gate.countDown();
        assertThat(pool.close(Duration.ofSeconds(10))).isTrue();
        assertThat(futures.get(1)).isCompletedWithValue("queued");
        assertThat(pool.isTerminated()).isTrue();
    }

    @Test
    void closeNowCancelsQueuedWorkAndInterruptsRunningWork() throws Exception {
        WorkerPool pool = pool(1, 5);
        CountDownLatch gate = gate();
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<Boolean> runningSawInterrupt = new CompletableFuture<>();
        CompletableFuture<String> running = pool.submit(() -> {
            started.countDown();
            try {
                gate.await();
                runningSawInterrupt.complete(false);
                return "not interrupted";
            } catch (InterruptedException e) {
                runningSawInterrupt.complete(true);
                throw e;
            }
        });
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        AtomicInteger queuedRuns = new AtomicInteger();
        CompletableFuture<Integer> queued1 = pool.submit(queuedRuns::incrementAndGet);
        CompletableFuture<Integer> queued2 = pool.submit(queuedRuns::incrementAndGet);

        List<CompletableFuture<?>> cancelled = pool.closeNow();

        assertThat(cancelled).containsExactlyInAnyOrder(queued1, queued2);
        assertThat(queued1).isCancelled();
        assertThat(queued2).isCancelled();
        assertThat(runningSawInterrupt.get(10, TimeUnit.SECONDS)).as("the running task observed its interruption").isTrue();
        assertThatThrownBy(() -> running.get(10, TimeUnit.SECONDS)).cause().isInstanceOf(InterruptedException.class);
        await().atMost(AWAIT).until(pool::isTerminated);
        assertThat(queuedRuns).as("cancelled tasks never ran").hasValue(0);
        assertThatThrownBy(() -> pool.submit(() -> 1)).isInstanceOf(BulkheadFullException.class).hasMessageContaining("closed");
    }

    @Test
    void cancelTrueOnARunningTaskInterruptsItAndTheWorkerMovesOnWithoutTheInterrupt() throws Exception {
        WorkerPool pool = pool(1, 5);
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<Boolean> sawInterrupt = new CompletableFuture<>();
        CompletableFuture<String> running = pool.submit(() -> {
            started.countDown();
            try {
                new CountDownLatch(1).await(); // never opens
                return "impossible";
            } catch (InterruptedException e) {
                sawInterrupt.complete(true);
                throw e;
            }
        });
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();

        assertThat(running.cancel(true)).isTrue();

        assertThat(sawInterrupt.get(10, TimeUnit.SECONDS)).isTrue();
        assertThat(running).isCancelled();
        assertThatThrownBy(running::join).isInstanceOf(CancellationException.class);

        CompletableFuture<Boolean> nextInterrupted = pool.submit(() -> Thread.currentThread().isInterrupted());
        assertThat(nextInterrupted.get(10, TimeUnit.SECONDS)).as("no stale interrupt on the next task").isFalse();
    }

    @Test
    void aTaskThatIgnoresItsInterruptDoesNotLeakItToTheNextTask() throws Exception {
        WorkerPool pool = pool(1, 5);
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<String> stubborn = pool.submit(() -> {
            started.countDown();
            while (!Thread.currentThread().isInterrupted()) { // notices, but neither clears nor throws
                Thread.onSpinWait();
            }
            return "returned with the interrupt still set";
        });
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<Thread> nextThread = new CompletableFuture<>();
        CompletableFuture<Boolean> nextInterrupted = pool.submit(() -> {
            nextThread.complete(Thread.currentThread());
            return Thread.currentThread().isInterrupted();
        });

        stubborn.cancel(true);

        assertThat(nextInterrupted.get(10, TimeUnit.SECONDS)).isFalse();
        assertThat(nextThread.get().getName()).isEqualTo("bulwark-thumbs-1");
        assertThat(stubborn).isCancelled();
    }

    @Test
    void cancellingAQueuedTaskMeansItNeverRuns() throws Exception {
        WorkerPool pool = pool(1, 5);
        List<CompletableFuture<String>> futures = new ArrayList<>();
        CountDownLatch gate = fill(pool, futures);
        AtomicInteger runs = new AtomicInteger();
        CompletableFuture<Integer> queued = pool.submit(runs::incrementAndGet);

        assertThat(queued.cancel(true)).isTrue();
        gate.countDown();
        CompletableFuture<Integer> after = pool.submit(() -> 42);

        assertThat(after.get(10, TimeUnit.SECONDS)).isEqualTo(42);
        assertThat(runs).hasValue(0);
        assertThat(futures.get(1)).isCompletedWithValue("queued");
    }

    @Test
    void queueCapacityZeroRejectsWhenEveryWorkerIsBusy() throws Exception {
        WorkerPool pool = pool(1, 0);
        CountDownLatch gate = gate();
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<String> first = awaitAccepted(pool, blocking(started, gate, "first"));
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();

        assertThatThrownBy(() -> pool.submit(() -> "second"))
                .isInstanceOf(BulkheadFullException.class)
                .hasMessageContaining("1 workers, queue 0");
        assertThat(pool.queued()).isZero();

        gate.countDown();
        assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("first");
    }

    @Test
    void queueCapacityZeroWithMaxWaitHandsTheTaskToTheNextIdleWorker() throws Exception {
        WorkerPool pool = pool(1, 0);
        CountDownLatch gate = gate();
        CountDownLatch started = new CountDownLatch(1);
        awaitAccepted(pool, blocking(started, gate, "first"));
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        AtomicReference<CompletableFuture<String>> second = new AtomicReference<>();

        Thread submitter = inThread("submitter", () -> second.set(pool.submit(() -> "second", Duration.ofSeconds(30))));
        awaitParked(submitter);
        assertThat(second.get()).isNull();

        gate.countDown();

        submitter.join(10_000);
        assertThat(second.get().get(10, TimeUnit.SECONDS)).isEqualTo("second");
    }

    /** Submits with a generous wait, so a worker that has not reached its queue yet is waited for. */
    private static <T> CompletableFuture<T> awaitAccepted(WorkerPool pool, java.util.concurrent.Callable<T> task) {
        return pool.submit(task, Duration.ofSeconds(10));
    }

    /**
     * With no queue, a pool whose tasks have all completed accepts the next submit at once: the
     * capacity is freed before a task's future completes, not when the worker returns to the queue.
     */
    @Test
    void queueCapacityZeroAcceptsWorkWhenNoTaskIsRunning() throws Exception {
        WorkerPool pool = pool(1, 0);
        int rejections = 0;
        for (int i = 0; i < 2_000; i++) {
            try {
                int n = i;
                assertThat(pool.submit(() -> n).get(10, TimeUnit.SECONDS)).isEqualTo(n);
            } catch (BulkheadFullException e) {
                rejections++;
            }
        }

        assertThat(rejections).as("submits rejected while the only worker had nothing to do").isZero();
    }

    @Test
    void rejectedCountsEveryKindOfRejection() throws Exception {
        WorkerPool pool = pool(1, 1);
        fill(pool, new ArrayList<>());

        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(() -> pool.submit(() -> "x")).isInstanceOf(BulkheadFullException.class);
        }
        assertThatThrownBy(() -> pool.submit(() -> "x", Duration.ofMillis(5))).isInstanceOf(BulkheadFullException.class);
        pool.closeNow();
        assertThatThrownBy(() -> pool.submit(() -> "x")).isInstanceOf(BulkheadFullException.class);

        assertThat(pool.rejected()).isEqualTo(5);
    }

    @Test
    void toStringShowsWorkersActiveAndQueue() throws Exception {
        WorkerPool pool = pool(1, 3);
        fill(pool, new ArrayList<>());

        assertThat(pool.toString()).contains("thumbs").contains("workers=1").contains("active=1").contains("queued=1/3");
    }

    /** Fills the pool with blocking tasks until a submit is rejected; returns how many were admitted. */
    private int admitUntilFull(WorkerPool pool, CountDownLatch gate) {
        int admitted = 0;
        while (true) {
            try {
                pool.submit(blocking(new CountDownLatch(1), gate, "filler"));
                admitted++;
            } catch (BulkheadFullException full) {
                return admitted;
            }
            if (admitted > 1_000) {
                throw new AssertionError("the pool never fills");
            }
        }
    }

    @Test
    void capacityIsWorkersPlusQueueAndIsFullyRestoredAfterEveryKindOfOutcome() throws Exception {
        WorkerPool pool = pool(2, 3);
        // Successes, failures, tasks cancelled before they start and tasks cancelled while running.
        for (int round = 0; round < 20; round++) {
            pool.submit(() -> "ok").get(10, TimeUnit.SECONDS);
            CompletableFuture<Object> failing = pool.submit(() -> {
                throw new IllegalStateException("boom");
            });
            assertThatThrownBy(() -> failing.get(10, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class);

            CountDownLatch gate = gate();
            CountDownLatch started1 = new CountDownLatch(1);
            CountDownLatch started2 = new CountDownLatch(1);
            CompletableFuture<String> running1 = pool.submit(blocking(started1, gate, "r1"));
            CompletableFuture<String> running2 = pool.submit(blocking(started2, gate, "r2"));
            assertThat(started1.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(started2.await(10, TimeUnit.SECONDS)).isTrue();
            CompletableFuture<String> queued = pool.submit(() -> "never");
            assertThat(queued.cancel(true)).isTrue();
            assertThat(running1.cancel(true)).isTrue();
            gate.countDown();
            assertThat(running2.get(10, TimeUnit.SECONDS)).isEqualTo("r2");
            await().atMost(AWAIT).until(() -> pool.active() == 0);
        }

        CountDownLatch gate = gate();
        assertThat(admitUntilFull(pool, gate)).as("workers + queueCapacity").isEqualTo(5);
        gate.countDown();
    }

    @Test
    void cancellingAQueuedTaskFreesItsPlaceAtOnce() throws Exception {
        WorkerPool pool = pool(1, 1);
        List<CompletableFuture<String>> futures = new ArrayList<>();
        CountDownLatch gate = fill(pool, futures);
        assertThatThrownBy(() -> pool.submit(() -> "x")).isInstanceOf(BulkheadFullException.class);

        assertThat(futures.get(1).cancel(false)).isTrue();

        CompletableFuture<String> replacement = pool.submit(() -> "replacement");
        gate.countDown();
        assertThat(replacement.get(10, TimeUnit.SECONDS)).isEqualTo("replacement");
        assertThat(futures.get(0).get(10, TimeUnit.SECONDS)).isEqualTo("running");
    }

    @Test
    void aRunningTaskCancelledWithCancelTrueFreesItsPlaceOnceItHasEnded() throws Exception {
        WorkerPool pool = pool(1, 0);
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<String> running = awaitAccepted(pool, () -> {
            started.countDown();
            new CountDownLatch(1).await(); // ends only by interruption
            return "never";
        });
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();

        running.cancel(true);

        await().atMost(AWAIT).until(() -> pool.active() == 0);
        assertThat(pool.submit(() -> "next").get(10, TimeUnit.SECONDS)).isEqualTo("next");
    }

    /**
     * Cancelling a queued task removes it from the queue at once: however many tasks are submitted
     * and cancelled while the workers are stuck, the queue never holds more than its capacity.
     */
    @Test
    void cancelledQueuedTasksDoNotPileUpBeyondTheQueueCapacity() throws Exception {
        WorkerPool pool = pool(1, 2);
        CountDownLatch gate = gate();
        CountDownLatch started = new CountDownLatch(1);
        pool.submit(blocking(started, gate, "stuck"));
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();

        for (int i = 0; i < 10_000; i++) {
            pool.submit(() -> "given up on").cancel(true);
        }

        assertThat(pool.queued()).as("tasks held in the queue").isLessThanOrEqualTo(2);
        gate.countDown();
    }
}
