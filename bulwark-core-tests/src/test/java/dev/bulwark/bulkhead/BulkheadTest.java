package dev.bulwark.bulkhead;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.bulwark.CallFailedException;
import dev.bulwark.registry.PolicyRegistry;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BulkheadTest {
    private static final Duration LONG = Duration.ofSeconds(30);

    /** Threads a test started; each is joined (interrupted first if still alive) after the test. */
    private final java.util.List<Thread> threads = new java.util.concurrent.CopyOnWriteArrayList<>();

    @AfterEach
    void stopThreads() throws InterruptedException {
        for (Thread t : threads) {
            t.interrupt();
            t.join(TimeUnit.SECONDS.toMillis(10));
            assertThat(t.isAlive()).as("thread %s ended", t.getName()).isFalse();
        }
    }

    private <T> CompletableFuture<T> inThread(String name, java.util.concurrent.Callable<T> body) {
        CompletableFuture<T> result = new CompletableFuture<>();
        Thread thread = new Thread(() -> {
            try {
                result.complete(body.call());
            } catch (Throwable e) {
                result.completeExceptionally(e);
            }
        }, name);
        thread.setDaemon(true);
        threads.add(thread);
        thread.start();
        return result;
    }

    /** Waits until {@code thread} is parked (it is waiting on the semaphore). */
    private static void awaitParked(Thread thread) {
        await().atMost(Duration.ofSeconds(10)).until(() ->
                thread.getState() == Thread.State.TIMED_WAITING || thread.getState() == Thread.State.WAITING);
    }

    private Thread lastThread() {
        return threads.get(threads.size() - 1);
    }

    @Test
    void permitsAreTakenAndReleased() {
        Bulkhead bulkhead = Bulkhead.of("reports", BulkheadConfig.of(2));
        assertThat(bulkhead.inFlight()).isZero();
        assertThat(bulkhead.available()).isEqualTo(2);

        assertThat(bulkhead.tryAcquirePermission()).isTrue();
        assertThat(bulkhead.tryAcquirePermission()).isTrue();
        assertThat(bulkhead.inFlight()).isEqualTo(2);
        assertThat(bulkhead.available()).isZero();
        assertThat(bulkhead.tryAcquirePermission()).isFalse();
        assertThat(bulkhead.acquirePermission()).as("maxWait zero: no waiting").isFalse();

        bulkhead.release();
        assertThat(bulkhead.inFlight()).isEqualTo(1);
        assertThat(bulkhead.tryAcquirePermission()).isTrue();
        assertThat(bulkhead.toString()).contains("reports").contains("2/2");
    }

    @Test
    void callHoldsAPermitWhileRunningAndReleasesItAfter() {
        Bulkhead bulkhead = Bulkhead.of("reports", BulkheadConfig.of(1));
        AtomicInteger inFlightDuringCall = new AtomicInteger(-1);

        String result = bulkhead.call(() -> {
            inFlightDuringCall.set(bulkhead.inFlight());
            return "done";
        });

        assertThat(result).isEqualTo("done");
        assertThat(inFlightDuringCall).hasValue(1);
        assertThat(bulkhead.inFlight()).isZero();
    }

    @Test
    void callReleasesThePermitWhenTheTaskThrows() {
        Bulkhead bulkhead = Bulkhead.of("reports", BulkheadConfig.of(1));

        assertThatThrownBy(() -> bulkhead.call(() -> {
            throw new IllegalStateException("boom");
        })).isInstanceOf(IllegalStateException.class).hasMessage("boom");
        assertThatThrownBy(() -> bulkhead.call(() -> {
            throw new IOException("io");
        })).isInstanceOf(CallFailedException.class).hasCauseInstanceOf(IOException.class);

        assertThat(bulkhead.inFlight()).isZero();
        assertThat(bulkhead.available()).isEqualTo(1);
    }

    @Test
    void aFullBulkheadRejectsWithAnExceptionNamingItAndItsLimit() {
        Bulkhead bulkhead = Bulkhead.of("reports", BulkheadConfig.of(2));
        bulkhead.tryAcquirePermission();
        bulkhead.tryAcquirePermission();
        AtomicInteger runs = new AtomicInteger();

        assertThatThrownBy(() -> bulkhead.call(runs::incrementAndGet))
                .isInstanceOfSatisfying(BulkheadFullException.class, e -> {
                    assertThat(e.policyName()).isEqualTo("reports");
                    assertThat(e.getMessage()).contains("'reports'").contains("max 2 concurrent").doesNotContain("waited");
                    assertThat(e.retryAfterNanos()).isEqualTo(-1);
                });
        assertThat(runs).as("a rejected task never runs").hasValue(0);
        assertThat(bulkhead.inFlight()).isEqualTo(2);
    }

    @Test
    void acquireWithAShortWaitAndNoFreePermitReturnsFalse() {
        Bulkhead bulkhead = Bulkhead.of("reports", BulkheadConfig.of(1));
        bulkhead.tryAcquirePermission();

        assertThat(bulkhead.acquirePermission(Duration.ofMillis(20))).isFalse();
        assertThat(bulkhead.inFlight()).isEqualTo(1);
    }

    @Test
    void callWithAConfiguredWaitThrowsWhenNoPermitFreesInTime() {
        Bulkhead bulkhead = Bulkhead.of("reports", new BulkheadConfig(1, Duration.ofMillis(20)));
        bulkhead.tryAcquirePermission();
        AtomicInteger runs = new AtomicInteger();

        assertThatThrownBy(() -> bulkhead.call(runs::incrementAndGet))
                .isInstanceOf(BulkheadFullException.class)
                .hasMessageContaining("'reports'")
                .hasMessageContaining("max 1 concurrent")
                .hasMessageContaining("waited PT0.02S");
        assertThat(runs).hasValue(0);
    }

    @Test
    void aPermitReleasedByAnotherThreadWhileWaitingIsObtained() throws Exception {
        Bulkhead bulkhead = Bulkhead.of("reports", new BulkheadConfig(1, LONG));
        assertThat(bulkhead.tryAcquirePermission()).isTrue();

        CompletableFuture<Boolean> waiter = inThread("waiter", bulkhead::acquirePermission);
        awaitParked(lastThread());
        assertThat(waiter).isNotDone();

        bulkhead.release();

        assertThat(waiter.get(10, TimeUnit.SECONDS)).isTrue();
        assertThat(bulkhead.inFlight()).as("the waiter now holds the permit").isEqualTo(1);
        assertThat(bulkhead.tryAcquirePermission()).isFalse();
    }

    @Test
    void aWaitingCallRunsOnceAPermitFrees() throws Exception {
        Bulkhead bulkhead = Bulkhead.of("reports", new BulkheadConfig(1, LONG));
        CountDownLatch holding = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        CompletableFuture<String> first = inThread("first", () -> bulkhead.call(() -> {
            holding.countDown();
            assertThat(finish.await(30, TimeUnit.SECONDS)).isTrue();
            return "first";
        }));
        assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();

        CompletableFuture<String> second = inThread("second", () -> bulkhead.call(() -> "second"));
        awaitParked(lastThread());
        assertThat(second).isNotDone();

        finish.countDown();

        assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("first");
        assertThat(second.get(10, TimeUnit.SECONDS)).isEqualTo("second");
        assertThat(bulkhead.inFlight()).isZero();
    }

    @Test
    void anInterruptedWaiterGivesUpAndKeepsItsInterruptStatus() throws Exception {
        Bulkhead bulkhead = Bulkhead.of("reports", new BulkheadConfig(1, LONG));
        bulkhead.tryAcquirePermission();

        CompletableFuture<Boolean> interruptedAfter = inThread("waiter", () -> {
            boolean acquired = bulkhead.acquirePermission();
            return !acquired && Thread.currentThread().isInterrupted();
        });
        Thread waiter = lastThread();
        awaitParked(waiter);
        waiter.interrupt();

        assertThat(interruptedAfter.get(10, TimeUnit.SECONDS)).as("returned false with the interrupt set").isTrue();
        assertThat(bulkhead.inFlight()).isEqualTo(1);
    }

    @Test
    void raisingTheLimitLiveAdmitsMoreCallsAtOnce() {
        Bulkhead bulkhead = Bulkhead.of("reports", BulkheadConfig.of(2));
        bulkhead.tryAcquirePermission();
        bulkhead.tryAcquirePermission();

        bulkhead.reconfigure(BulkheadConfig.of(4));

        assertThat(bulkhead.config().maxConcurrent()).isEqualTo(4);
        assertThat(bulkhead.inFlight()).isEqualTo(2);
        assertThat(bulkhead.tryAcquirePermission()).isTrue();
        assertThat(bulkhead.tryAcquirePermission()).isTrue();
        assertThat(bulkhead.tryAcquirePermission()).isFalse();
        assertThat(bulkhead.inFlight()).isEqualTo(4);
    }

    @Test
    void raisingTheLimitLetsAWaiterIn() throws Exception {
        Bulkhead bulkhead = Bulkhead.of("reports", new BulkheadConfig(1, LONG));
        bulkhead.tryAcquirePermission();
        CompletableFuture<Boolean> waiter = inThread("waiter", bulkhead::acquirePermission);
        awaitParked(lastThread());

        bulkhead.reconfigure(new BulkheadConfig(2, LONG));

        assertThat(waiter.get(10, TimeUnit.SECONDS)).isTrue();
        assertThat(bulkhead.inFlight()).isEqualTo(2);
    }

    @Test
    void loweringTheLimitLiveLetsRunningCallsFinishAndAdmitsNewOnesOnlyOnceTheyFit() {
        Bulkhead bulkhead = Bulkhead.of("reports", BulkheadConfig.of(4));
        for (int i = 0; i < 4; i++) {
            assertThat(bulkhead.tryAcquirePermission()).isTrue();
        }

        bulkhead.reconfigure(BulkheadConfig.of(2));

        assertThat(bulkhead.inFlight()).as("running calls keep their permits").isEqualTo(4);
        assertThat(bulkhead.available()).isEqualTo(-2);
        assertThat(bulkhead.tryAcquirePermission()).isFalse();

        bulkhead.release();
        bulkhead.release();
        assertThat(bulkhead.inFlight()).isEqualTo(2);
        assertThat(bulkhead.tryAcquirePermission()).as("2 running: the new limit is reached").isFalse();

        bulkhead.release();
        assertThat(bulkhead.tryAcquirePermission()).isTrue();
        assertThat(bulkhead.tryAcquirePermission()).isFalse();
        assertThat(bulkhead.inFlight()).isEqualTo(2);
    }

    @Test
    void reconfigureChangesTheWaitToo() {
        Bulkhead bulkhead = Bulkhead.of("reports", BulkheadConfig.of(1));
        bulkhead.tryAcquirePermission();

        bulkhead.reconfigure(new BulkheadConfig(1, Duration.ofMillis(20)));

        assertThat(bulkhead.config().maxWait()).isEqualTo(Duration.ofMillis(20));
        assertThatThrownBy(() -> bulkhead.call(() -> "x")).hasMessageContaining("waited PT0.02S");
    }

    @Test
    void rejectionsNameTheCurrentLimitAfterReconfigure() {
        Bulkhead bulkhead = Bulkhead.of("reports", BulkheadConfig.of(2));
        bulkhead.reconfigure(BulkheadConfig.of(7));

        assertThat(bulkhead.rejection(Duration.ZERO).getMessage()).contains("max 7 concurrent");
    }

    @Test
    void callAsyncHoldsThePermitUntilTheStageCompletes() throws Exception {
        Bulkhead bulkhead = Bulkhead.of("reports", BulkheadConfig.of(1));
        CompletableFuture<String> source = new CompletableFuture<>();

        CompletableFuture<String> result = bulkhead.callAsync(() -> source).toCompletableFuture();

        assertThat(bulkhead.inFlight()).isEqualTo(1);
        CompletionStage<String> rejected = bulkhead.callAsync(() -> CompletableFuture.completedFuture("x"));
        assertThatThrownBy(() -> rejected.toCompletableFuture().get())
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOf(BulkheadFullException.class).hasMessageContaining("'reports'");

        source.complete("done");

        assertThat(result.get(1, TimeUnit.SECONDS)).isEqualTo("done");
        assertThat(bulkhead.inFlight()).isZero();
    }

    @Test
    void callAsyncReleasesOnFailedCompletion() {
        Bulkhead bulkhead = Bulkhead.of("reports", BulkheadConfig.of(1));
        CompletableFuture<String> source = new CompletableFuture<>();
        CompletableFuture<String> result = bulkhead.callAsync(() -> source).toCompletableFuture();

        source.completeExceptionally(new IllegalStateException("boom"));

        assertThat(result).isCompletedExceptionally();
        assertThatThrownBy(result::join).hasCauseInstanceOf(IllegalStateException.class);
        assertThat(bulkhead.inFlight()).isZero();
    }

    @Test
    void callAsyncReleasesWhenTheSupplierThrows() {
        Bulkhead bulkhead = Bulkhead.of("reports", BulkheadConfig.of(1));

        CompletionStage<String> result = bulkhead.callAsync(() -> {
            throw new IllegalStateException("no stage");
        });

        assertThatThrownBy(() -> result.toCompletableFuture().join()).hasCauseInstanceOf(IllegalStateException.class);
        assertThat(bulkhead.inFlight()).isZero();
    }

    @Test
    void callAsyncOnAFullBulkheadNeverStartsTheTask() {
        Bulkhead bulkhead = Bulkhead.of("reports", new BulkheadConfig(1, LONG));
        bulkhead.tryAcquirePermission();
        AtomicInteger starts = new AtomicInteger();

        CompletionStage<Integer> result = bulkhead.callAsync(() -> CompletableFuture.completedFuture(starts.incrementAndGet()));

        assertThat(result.toCompletableFuture()).isCompletedExceptionally();
        assertThat(starts).hasValue(0);
        assertThat(bulkhead.inFlight()).isEqualTo(1);
    }

    @Test
    void manyThreadsNeverExceedTheLimit() throws Exception {
        Bulkhead bulkhead = Bulkhead.of("reports", new BulkheadConfig(3, LONG));
        AtomicInteger running = new AtomicInteger();
        AtomicInteger maxSeen = new AtomicInteger();
        AtomicInteger completed = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        java.util.List<CompletableFuture<Integer>> workers = new java.util.ArrayList<>();
        for (int t = 0; t < 8; t++) {
            workers.add(inThread("worker-" + t, () -> {
                start.await();
                for (int i = 0; i < 500; i++) {
                    bulkhead.call(() -> {
                        int now = running.incrementAndGet();
                        maxSeen.accumulateAndGet(now, Math::max);
                        Thread.yield();
                        running.decrementAndGet();
                        return completed.incrementAndGet();
                    });
                }
                return 0;
            }));
        }
        start.countDown();
        for (CompletableFuture<Integer> w : workers) {
            w.get(60, TimeUnit.SECONDS);
        }

        assertThat(completed).hasValue(8 * 500);
        assertThat(maxSeen.get()).isBetween(1, 3);
        assertThat(bulkhead.inFlight()).isZero();
    }

    @Test
    void registryCreatesBulkheadsFromTheDefaultsOrTheNamesOwnConfig() {
        PolicyRegistry<Bulkhead, BulkheadConfig> registry = Bulkheads.registry(BulkheadConfig.of(5));
        registry.configure("slow-service", BulkheadConfig.of(1));

        Bulkhead slow = registry.get("slow-service");
        Bulkhead other = registry.get("other");

        assertThat(slow.name()).isEqualTo("slow-service");
        assertThat(slow.config().maxConcurrent()).isEqualTo(1);
        assertThat(other.config().maxConcurrent()).isEqualTo(5);
        assertThat(registry.get("slow-service")).isSameAs(slow);
        assertThat(slow.tryAcquirePermission()).isTrue();
        assertThat(slow.tryAcquirePermission()).isFalse();
    }

    @Test
    void registryApplyReconfiguresTheLiveBulkheadKeepingItsPermits() {
        PolicyRegistry<Bulkhead, BulkheadConfig> registry = Bulkheads.registry(BulkheadConfig.of(2));
        Bulkhead bulkhead = registry.get("svc");
        bulkhead.tryAcquirePermission();
        bulkhead.tryAcquirePermission();

        Bulkhead applied = registry.apply("svc", BulkheadConfig.of(3));

        assertThat(applied).isSameAs(bulkhead);
        assertThat(bulkhead.config().maxConcurrent()).isEqualTo(3);
        assertThat(bulkhead.inFlight()).isEqualTo(2);
        assertThat(bulkhead.tryAcquirePermission()).isTrue();
        assertThat(bulkhead.tryAcquirePermission()).isFalse();

        registry.apply("svc", BulkheadConfig.of(1));
        assertThat(bulkhead.inFlight()).isEqualTo(3);
        bulkhead.release();
        bulkhead.release();
        assertThat(bulkhead.tryAcquirePermission()).as("1 running, limit 1").isFalse();
        bulkhead.release();
        assertThat(bulkhead.tryAcquirePermission()).isTrue();
    }

    @Test
    void registryConfigureDoesNotTouchALiveBulkhead() {
        PolicyRegistry<Bulkhead, BulkheadConfig> registry = Bulkheads.registry(BulkheadConfig.of(2));
        Bulkhead bulkhead = registry.get("svc");

        registry.configure("svc", BulkheadConfig.of(9));

        assertThat(bulkhead.config().maxConcurrent()).isEqualTo(2);
        assertThat(registry.configOf("svc").maxConcurrent()).isEqualTo(9);
    }

    @Test
    void registryApplyToAnUnknownNameCreatesItWithThatConfig() {
        PolicyRegistry<Bulkhead, BulkheadConfig> registry = Bulkheads.registry(BulkheadConfig.of(2));

        Bulkhead created = registry.apply("new", BulkheadConfig.of(6));

        assertThat(created.config().maxConcurrent()).isEqualTo(6);
        assertThat(created.available()).isEqualTo(6);
        assertThat(registry.find("new")).containsSame(created);
    }

    @Test
    void defaultsAre25AtOnceWithoutWaiting() {
        assertThat(BulkheadConfig.defaults()).isEqualTo(new BulkheadConfig(25, Duration.ZERO));
        assertThat(Bulkhead.of("d", BulkheadConfig.defaults()).available()).isEqualTo(25);
    }
}
