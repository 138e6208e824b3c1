package dev.bulwark.timeout;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.bulwark.CallContext;
import dev.bulwark.CallFailedException;
import dev.bulwark.testing.VirtualScheduler;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TimeoutTest {
    private static final Duration LIMIT = Duration.ofSeconds(1);
    private static final Duration AWAIT = Duration.ofSeconds(10);

    private final VirtualScheduler scheduler = new VirtualScheduler();
    private final Timeout timeout = Timeout.of("pricing", LIMIT, scheduler);
    private final List<Thread> threads = new CopyOnWriteArrayList<>();

    @AfterEach
    void checks() throws InterruptedException {
        for (Thread t : threads) {
            t.interrupt();
            t.join(10_000);
            assertThat(t.isAlive()).isFalse();
        }
        assertThat(scheduler.taskFailures()).isEmpty();
        assertThat(Thread.interrupted()).as("no interrupt left on the test thread").isFalse();
    }

    /** What a call made on another thread produced, and that thread's interrupt status afterwards. */
    private record Outcome(Object value, Throwable error, boolean interruptedAfter) {
    }

    /** Runs {@code timeout.call(context, task)} on a new thread. */
    private CompletableFuture<Outcome> callInThread(CallContext context, Callable<?> task) {
        CompletableFuture<Outcome> outcome = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            Object value = null;
            Throwable error = null;
            try {
                value = timeout.call(context, task);
            } catch (Throwable e) {
                error = e;
            }
            outcome.complete(new Outcome(value, error, Thread.currentThread().isInterrupted()));
        }, "caller");
        thread.setDaemon(true);
        threads.add(thread);
        thread.start();
        return outcome;
    }

    /** A task that signals it started, then waits on a latch that never opens. */
    private static Callable<String> blockedForever(CountDownLatch started, AtomicBoolean sawInterrupt) {
        return () -> {
            started.countDown();
            try {
                new CountDownLatch(1).await();
                return "never";
            } catch (InterruptedException e) {
                sawInterrupt.set(true);
                throw e;
            }
        };
    }

    @Test
    void aBlockedCallIsInterruptedAtTheLimitAndTheInterruptIsConfinedToTheCall() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        AtomicBoolean sawInterrupt = new AtomicBoolean();
        CompletableFuture<Outcome> outcome = callInThread(CallContext.none(), blockedForever(started, sawInterrupt));
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();
        assertThat(scheduler.pendingTasks()).as("the timer is armed").isEqualTo(1);

        scheduler.advance(LIMIT.minusNanos(1));
        assertThat(outcome).as("one nanosecond before the limit").isNotDone();
        assertThat(sawInterrupt).isFalse();

        scheduler.advance(Duration.ofNanos(1));

        Outcome result = outcome.get(10, TimeUnit.SECONDS);
        assertThat(sawInterrupt).as("the task observed InterruptedException").isTrue();
        assertThat(result.error()).isInstanceOfSatisfying(CallTimeoutException.class, e -> {
            assertThat(e.policyName()).isEqualTo("pricing");
            assertThat(e.limitNanos()).isEqualTo(LIMIT.toNanos());
            assertThat(e.getMessage()).contains("'pricing'").contains("PT1S");
            assertThat(e.getCause()).isInstanceOf(InterruptedException.class);
        });
        assertThat(result.interruptedAfter()).as("the caller's interrupt flag is cleared").isFalse();
        assertThat(scheduler.pendingTasks()).isZero();
    }

    @Test
    void aCallThatIgnoresTheInterruptStillEndsInATimeoutWhenItReturns() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<Outcome> outcome = callInThread(CallContext.none(), () -> {
            started.countDown();
            while (!Thread.currentThread().isInterrupted()) { // notices, neither clears nor throws
                Thread.onSpinWait();
            }
            return "finished late";
        });
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();

        scheduler.advance(LIMIT);

        Outcome result = outcome.get(10, TimeUnit.SECONDS);
        assertThat(result.value()).isNull();
        assertThat(result.error()).isInstanceOf(CallTimeoutException.class).hasNoCause();
        assertThat(result.interruptedAfter()).as("the interrupt does not leak out of the call").isFalse();
    }

    @Test
    void aFastCallReturnsNormallyAndCancelsItsTimer() {
        String value = timeout.call(() -> {
            assertThat(scheduler.pendingTasks()).isEqualTo(1);
            return "quote";
        });

        assertThat(value).isEqualTo("quote");
        assertThat(scheduler.pendingTasks()).as("timer cancelled").isZero();
        assertThat(Thread.currentThread().isInterrupted()).isFalse();
        assertThat(scheduler.advance(LIMIT.multipliedBy(2))).as("nothing fires later").isZero();
        assertThat(Thread.currentThread().isInterrupted()).as("no interrupt arrives later").isFalse();
    }

    @Test
    void aCallThatTakesVirtualTimeBelowTheLimitReturns() {
        String value = timeout.call(() -> {
            scheduler.sleep(LIMIT.toNanos() - 1);
            return "just in time";
        });

        assertThat(value).isEqualTo("just in time");
        assertThat(scheduler.pendingTasks()).isZero();
    }

    @Test
    void aCallSleepingPastTheLimitInVirtualTimeIsInterruptedAtTheLimit() {
        long before = scheduler.ticker().read();

        assertThatThrownBy(() -> timeout.call(() -> {
            scheduler.sleep(LIMIT.toNanos() * 5);
            return "too late";
        })).isInstanceOf(CallTimeoutException.class).hasCauseInstanceOf(InterruptedException.class);

        assertThat(scheduler.ticker().read() - before).as("the sleep ended at the limit").isEqualTo(LIMIT.toNanos());
        assertThat(scheduler.sleeps()).containsExactly(LIMIT.toNanos());
    }

    @Test
    void aFailingCallPropagatesItsExceptionAndCancelsItsTimer() {
        IllegalStateException boom = new IllegalStateException("boom");

        assertThatThrownBy(() -> timeout.call(() -> {
            throw boom;
        })).isSameAs(boom);
        assertThat(scheduler.pendingTasks()).isZero();

        assertThatThrownBy(() -> timeout.call(() -> {
            throw new IOException("io");
        })).isInstanceOf(CallFailedException.class).hasCauseInstanceOf(IOException.class);
        assertThat(scheduler.pendingTasks()).isZero();
    }

    @Test
    void aShorterContextDeadlineWins() throws Exception {
        CallContext context = CallContext.withDeadline(Duration.ofMillis(100), scheduler.ticker());
        CountDownLatch started = new CountDownLatch(1);
        AtomicBoolean sawInterrupt = new AtomicBoolean();
        CompletableFuture<Outcome> outcome = callInThread(context, blockedForever(started, sawInterrupt));
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();

        scheduler.advance(Duration.ofMillis(100).minusNanos(1));
        assertThat(outcome).isNotDone();
        scheduler.advance(Duration.ofNanos(1));

        Outcome result = outcome.get(10, TimeUnit.SECONDS);
        assertThat(sawInterrupt).isTrue();
        assertThat(result.error()).isInstanceOfSatisfying(CallTimeoutException.class,
                e -> assertThat(e.limitNanos()).isEqualTo(Duration.ofMillis(100).toNanos()));
        assertThat(result.interruptedAfter()).isFalse();
    }

    @Test
    void aLongerContextDeadlineDoesNotExtendTheLimit() throws Exception {
        CallContext context = CallContext.withDeadline(Duration.ofMinutes(5), scheduler.ticker());
        CountDownLatch started = new CountDownLatch(1);
        CompletableFuture<Outcome> outcome = callInThread(context, blockedForever(started, new AtomicBoolean()));
        assertThat(started.await(10, TimeUnit.SECONDS)).isTrue();

        scheduler.advance(LIMIT);

        assertThat(outcome.get(10, TimeUnit.SECONDS).error()).isInstanceOfSatisfying(CallTimeoutException.class,
                e -> assertThat(e.limitNanos()).isEqualTo(LIMIT.toNanos()));
    }

    @Test
    void aPassedDeadlineFailsAtOnceWithoutRunningTheTask() {
        CallContext context = CallContext.withDeadline(Duration.ofMillis(10), scheduler.ticker());
        scheduler.advance(Duration.ofMillis(10));
        AtomicInteger runs = new AtomicInteger();

        assertThatThrownBy(() -> timeout.call(context, runs::incrementAndGet)).isInstanceOf(CallTimeoutException.class);
        assertThat(runs).hasValue(0);
        assertThat(scheduler.pendingTasks()).isZero();
    }

    @Test
    void callAsyncFailsWithATimeoutAtTheLimitAndCancelsTheSource() {
        CompletableFuture<String> source = new CompletableFuture<>();

        CompletableFuture<String> result = timeout.callAsync(() -> source);
        scheduler.advance(LIMIT.minusNanos(1));
        assertThat(result).isNotDone();
        assertThat(source).isNotDone();

        scheduler.advance(Duration.ofNanos(1));

        assertThat(result).isCompletedExceptionally();
        assertThatThrownBy(result::join).cause().isInstanceOfSatisfying(CallTimeoutException.class, e -> {
            assertThat(e.policyName()).isEqualTo("pricing");
            assertThat(e.limitNanos()).isEqualTo(LIMIT.toNanos());
        });
        assertThat(source).as("the work is cancelled too").isCancelled();
    }

    @Test
    void callAsyncCompletionBeforeTheLimitPassesThroughAndCancelsTheTimer() throws Exception {
        CompletableFuture<String> source = new CompletableFuture<>();
        CompletableFuture<String> result = timeout.callAsync(() -> source);
        scheduler.advance(Duration.ofMillis(999));

        source.complete("quote");

        assertThat(result.get(1, TimeUnit.SECONDS)).isEqualTo("quote");
        assertThat(scheduler.pendingTasks()).isZero();
        scheduler.advance(LIMIT);
        assertThat(result).isCompletedWithValue("quote");
    }

    @Test
    void callAsyncFailureBeforeTheLimitPassesThrough() {
        CompletableFuture<String> source = new CompletableFuture<>();
        CompletableFuture<String> result = timeout.callAsync(() -> source);
        IllegalStateException boom = new IllegalStateException("boom");

        source.completeExceptionally(boom);

        assertThatThrownBy(() -> result.get(1, TimeUnit.SECONDS)).isInstanceOf(ExecutionException.class).cause().isSameAs(boom);
        assertThat(scheduler.pendingTasks()).isZero();
    }

    @Test
    void callAsyncWithAnAlreadyCompletedStagePassesItThrough() {
        CompletableFuture<String> result = timeout.callAsync(() -> CompletableFuture.completedFuture("ready"));

        assertThat(result).isCompletedWithValue("ready");
        assertThat(scheduler.pendingTasks()).isZero();
    }

    @Test
    void callAsyncWhoseSupplierThrowsFailsWithThatException() {
        IllegalStateException boom = new IllegalStateException("no stage");

        CompletableFuture<String> result = timeout.callAsync(() -> {
            throw boom;
        });

        assertThatThrownBy(result::join).cause().isSameAs(boom);
        assertThat(scheduler.pendingTasks()).isZero();
    }

    @Test
    void cancellingTheResultCancelsTheSourceAndTheTimer() {
        CompletableFuture<String> source = new CompletableFuture<>();
        CompletableFuture<String> result = timeout.callAsync(() -> source);

        result.cancel(true);

        assertThat(source).isCancelled();
        assertThat(scheduler.pendingTasks()).isZero();
        assertThatThrownBy(result::join).isInstanceOf(CancellationException.class);
    }

    @Test
    void callAsyncHonoursAShorterContextDeadline() {
        CompletableFuture<String> source = new CompletableFuture<>();
        CallContext context = CallContext.withDeadline(Duration.ofMillis(250), scheduler.ticker());

        CompletableFuture<String> result = timeout.callAsync(context, () -> source);
        scheduler.advance(Duration.ofMillis(250));

        assertThatThrownBy(result::join).cause().isInstanceOfSatisfying(CallTimeoutException.class,
                e -> assertThat(e.limitNanos()).isEqualTo(Duration.ofMillis(250).toNanos()));
        assertThat(source).isCancelled();
    }

    @Test
    void callAsyncWithAPassedDeadlineFailsAtOnceWithoutStartingTheTask() {
        CallContext context = CallContext.withDeadline(Duration.ZERO, scheduler.ticker());
        AtomicInteger starts = new AtomicInteger();

        CompletableFuture<Integer> result = timeout.callAsync(context,
                () -> CompletableFuture.completedFuture(starts.incrementAndGet()));

        assertThatThrownBy(result::join).cause().isInstanceOf(CallTimeoutException.class);
        assertThat(starts).hasValue(0);
    }

    @Test
    void aSourceThatHonoursCancelTrueIsInterrupted() throws Exception {
        CompletableFuture<Boolean> sawInterrupt = new CompletableFuture<>();
        dev.bulwark.internal.TaskFuture<String> source = new dev.bulwark.internal.TaskFuture<>(() -> {
            try {
                new CountDownLatch(1).await();
                return "never";
            } catch (InterruptedException e) {
                sawInterrupt.complete(true);
                throw e;
            }
        });
        Thread worker = new Thread(source, "source-worker");
        worker.setDaemon(true);
        threads.add(worker);
        CompletableFuture<String> result = timeout.callAsync(() -> source);
        worker.start();
        await().atMost(AWAIT).until(() -> worker.getState() == Thread.State.WAITING);

        scheduler.advance(LIMIT);

        assertThat(sawInterrupt.get(10, TimeUnit.SECONDS)).isTrue();
        assertThat(source).isCancelled();
        assertThatThrownBy(result::join).cause().isInstanceOf(CallTimeoutException.class);
    }

    @Test
    void accessorsAndToString() {
        assertThat(timeout.name()).isEqualTo("pricing");
        assertThat(timeout.limitNanos()).isEqualTo(LIMIT.toNanos());
        assertThat(timeout.toString()).contains("pricing").contains("PT1S");
    }
}
