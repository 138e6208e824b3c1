package dev.bulwark.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

class TaskFutureTest {
    private final List<Thread> threads = new CopyOnWriteArrayList<>();

    @AfterEach
    void joinThreads() throws InterruptedException {
        for (Thread t : threads) {
            t.interrupt();
            t.join(10_000);
            assertThat(t.isAlive()).isFalse();
        }
    }

    private Thread start(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        threads.add(thread);
        thread.start();
        return thread;
    }

    @Test
    void runCompletesTheFutureWithTheResult() {
        TaskFuture<String> future = new TaskFuture<>(() -> "done");

        future.run();

        assertThat(future).isCompletedWithValue("done");
    }

    @Test
    void aThrowingTaskCompletesTheFutureExceptionallyWithThatException() {
        IOException io = new IOException("io");
        TaskFuture<String> future = new TaskFuture<>(() -> {
            throw io;
        });

        future.run();

        assertThatThrownBy(future::get).isInstanceOf(ExecutionException.class).cause().isSameAs(io);
    }

    @Test
    void theTaskRunsAtMostOnce() {
        AtomicInteger runs = new AtomicInteger();
        TaskFuture<Integer> future = new TaskFuture<>(runs::incrementAndGet);

        future.run();
        future.run();

        assertThat(runs).hasValue(1);
        assertThat(future).isCompletedWithValue(1);
    }

    @Test
    void cancelledBeforeStartTheTaskNeverRuns() {
        AtomicInteger runs = new AtomicInteger();
        TaskFuture<Integer> future = new TaskFuture<>(runs::incrementAndGet);

        assertThat(future.cancel(true)).isTrue();
        future.run();

        assertThat(runs).hasValue(0);
        assertThat(future).isCancelled();
        assertThat(Thread.currentThread().isInterrupted()).as("cancelling an unstarted task interrupts no one").isFalse();
    }

    @Test
    void cancelAfterCompletionDoesNothing() {
        TaskFuture<String> future = new TaskFuture<>(() -> "done");
        future.run();

        assertThat(future.cancel(true)).isFalse();
        assertThat(future).isCompletedWithValue("done");
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
    }

    @Test
    void cancelTrueWhileRunningInterruptsTheTask() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<Boolean> sawInterrupt = new CompletableFuture<>();
        TaskFuture<String> future = new TaskFuture<>(() -> {
            started.countDown();
            try {
                new CountDownLatch(1).await(); // never opens
                sawInterrupt.complete(false);
                return "never";
            } catch (InterruptedException e) {
                sawInterrupt.complete(true);
                throw e;
            }
        });
        start("worker", future);
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();

        assertThat(future.cancel(true)).isTrue();

        assertThat(sawInterrupt.get(10, TimeUnit.SECONDS)).isTrue();
        assertThat(future).isCancelled();
        assertThatThrownBy(future::join).isInstanceOf(CancellationException.class);
    }

    @Test
    void cancelFalseWhileRunningDoesNotInterruptTheTask() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch gate = new CountDownLatch(1);
        CompletableFuture<Boolean> interruptedAtEnd = new CompletableFuture<>();
        TaskFuture<String> future = new TaskFuture<>(() -> {
            started.countDown();
            gate.await();
            interruptedAtEnd.complete(Thread.currentThread().isInterrupted());
            return "finished";
        });
        start("worker", future);
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();

        assertThat(future.cancel(false)).isTrue();
        gate.countDown();

        assertThat(interruptedAtEnd.get(10, TimeUnit.SECONDS)).as("the task ran on undisturbed").isFalse();
        assertThat(future).isCancelled();
    }

    /**
     * Two TaskFutures run one after the other on one worker thread; the first is cancelled with
     * cancel(true) while running and returns with the interrupt still set (it notices it but
     * neither clears it nor throws). The second must start with no interrupt pending.
     */
    @RepeatedTest(20)
    void theInterruptOfACancelledTaskDoesNotLeakIntoTheNextTaskOnTheSameThread() throws Exception {
        CountDownLatch firstStarted = new CountDownLatch(1);
        TaskFuture<String> first = new TaskFuture<>(() -> {
            firstStarted.countDown();
            while (!Thread.currentThread().isInterrupted()) {
                Thread.onSpinWait();
            }
            return "returned with the interrupt set";
        });
        CompletableFuture<Boolean> secondSawInterrupt = new CompletableFuture<>();
        TaskFuture<String> second = new TaskFuture<>(() -> {
            secondSawInterrupt.complete(Thread.currentThread().isInterrupted());
            return "second";
        });
        CompletableFuture<Boolean> interruptedBetween = new CompletableFuture<>();
        start("worker", () -> {
            first.run();
            interruptedBetween.complete(Thread.currentThread().isInterrupted());
            second.run();
        });
        assertThat(firstStarted.await(10, TimeUnit.SECONDS)).isTrue();

        assertThat(first.cancel(true)).isTrue();

        assertThat(interruptedBetween.get(10, TimeUnit.SECONDS)).as("cleared when the first task ended").isFalse();
        assertThat(secondSawInterrupt.get(10, TimeUnit.SECONDS)).as("no stale interrupt in the next task").isFalse();
        assertThat(second.join()).isEqualTo("second");
        assertThat(first).isCancelled();
    }

    /** Races cancel(true) against a task that is just finishing: the worker must never keep a stray interrupt. */
    @Test
    void cancelRacingCompletionNeverLeavesAStrayInterrupt() throws Exception {
        AtomicBoolean strayInterrupt = new AtomicBoolean();
        for (int i = 0; i < 2_000; i++) {
            CountDownLatch started = new CountDownLatch(1);
            AtomicInteger finished = new AtomicInteger();
            TaskFuture<Integer> future = new TaskFuture<>(() -> {
                started.countDown();
                int spin = 0;
                for (int k = 0; k < 200; k++) {
                    spin += k;
                }
                return spin;
            }, finished::incrementAndGet);
            CountDownLatch done = new CountDownLatch(1);
            Thread worker = start("worker-" + i, () -> {
                future.run();
                if (Thread.currentThread().isInterrupted()) {
                    strayInterrupt.set(true);
                }
                done.countDown();
            });
            assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
            future.cancel(true);
            assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
            worker.join();
            threads.remove(worker);
            assertThat(finished).as("onFinish exactly once, iteration %d", i).hasValue(1);
        }

        assertThat(strayInterrupt).as("an interrupt escaped a finished TaskFuture").isFalse();
    }

    @Test
    void onFinishRunsOnceBeforeTheFutureCompletes() {
        AtomicInteger finished = new AtomicInteger();
        AtomicInteger finishedWhenCompleted = new AtomicInteger(-1);
        TaskFuture<String> future = new TaskFuture<>(() -> "done", finished::incrementAndGet);
        future.whenComplete((v, e) -> finishedWhenCompleted.set(finished.get()));

        future.run();
        future.run();

        assertThat(finished).hasValue(1);
        assertThat(finishedWhenCompleted).as("onFinish had run when the future completed").hasValue(1);
        assertThat(future.cancel(true)).isFalse();
        assertThat(finished).as("not again on a late cancel").hasValue(1);
    }

    @Test
    void onFinishRunsOnceBeforeAFailedFutureCompletes() {
        AtomicInteger finished = new AtomicInteger();
        AtomicInteger finishedWhenCompleted = new AtomicInteger(-1);
        TaskFuture<String> future = new TaskFuture<>(() -> {
            throw new IOException("io");
        }, finished::incrementAndGet);
        future.whenComplete((v, e) -> finishedWhenCompleted.set(finished.get()));

        future.run();

        assertThat(future).isCompletedExceptionally();
        assertThat(finished).hasValue(1);
        assertThat(finishedWhenCompleted).hasValue(1);
    }

    @Test
    void onFinishRunsOnceWhenCancelledBeforeStartAndTheTaskNeverRuns() {
        AtomicInteger finished = new AtomicInteger();
        AtomicInteger finishedWhenCancelled = new AtomicInteger(-1);
        AtomicInteger runs = new AtomicInteger();
        TaskFuture<Integer> future = new TaskFuture<>(runs::incrementAndGet, finished::incrementAndGet);
        future.whenComplete((v, e) -> finishedWhenCancelled.set(finished.get()));

        assertThat(future.cancel(false)).isTrue();
        future.run();
        future.cancel(true);

        assertThat(runs).hasValue(0);
        assertThat(finished).hasValue(1);
        assertThat(finishedWhenCancelled).as("onFinish had run when the future read as cancelled").hasValue(1);
    }

    @Test
    void onFinishOfATaskCancelledWhileRunningRunsOnceWhenTheTaskHasEnded() throws Exception {
        AtomicInteger finished = new AtomicInteger();
        CountDownLatch started = new CountDownLatch(1);
        CountDownLatch gate = new CountDownLatch(1);
        TaskFuture<String> future = new TaskFuture<>(() -> {
            started.countDown();
            while (gate.getCount() > 0) { // ignores interrupts until the test lets it end
                Thread.onSpinWait();
            }
            return "ended";
        }, finished::incrementAndGet);
        Thread worker = start("worker", future);
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();

        assertThat(future.cancel(true)).isTrue();
        assertThat(future).isCancelled();
        assertThat(finished).as("the task is still running").hasValue(0);

        gate.countDown();
        worker.join(10_000);

        assertThat(worker.isAlive()).isFalse();
        assertThat(finished).hasValue(1);
    }
}
