package dev.bulwark.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.InvalidConfigException;
import dev.bulwark.time.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

class SimulatedDependencyTest {
    private static final long MS = 1_000_000L;

    private final VirtualScheduler scheduler = new VirtualScheduler();

    private SimulatedDependency.Builder builder() {
        return SimulatedDependency.builder("payments").scheduler(scheduler);
    }

    /** Each call's outcome and virtual time spent, e.g. "ok 12345ns" or "error rate 678ns". */
    private static List<String> run(SimulatedDependency dependency, VirtualScheduler clock, int calls) {
        List<String> outcomes = new ArrayList<>();
        for (int i = 0; i < calls; i++) {
            long before = clock.ticker().read();
            String outcome;
            try {
                outcome = dependency.call();
            } catch (SimulatedFailureException e) {
                outcome = e.reason();
            }
            outcomes.add(outcome + " " + (clock.ticker().read() - before) + "ns");
        }
        return outcomes;
    }

    private static SimulatedDependency seeded(VirtualScheduler clock, long seed) {
        return SimulatedDependency.builder("search")
                .latency(LatencyDistribution.logNormal(Duration.ofMillis(10), Duration.ofMillis(100)))
                .errorRate(0.3)
                .seed(seed)
                .scheduler(clock)
                .build();
    }

    @Test
    void theSameSeedGivesTheSameCallsOnVirtualTime() {
        VirtualScheduler clockA = new VirtualScheduler();
        VirtualScheduler clockB = new VirtualScheduler();
        VirtualScheduler clockC = new VirtualScheduler();

        List<String> first = run(seeded(clockA, 7), clockA, 300);
        List<String> second = run(seeded(clockB, 7), clockB, 300);
        List<String> otherSeed = run(seeded(clockC, 8), clockC, 300);

        assertThat(second).isEqualTo(first);
        assertThat(otherSeed).isNotEqualTo(first);
        assertThat(first).anyMatch(o -> o.startsWith("ok ")).anyMatch(o -> o.startsWith("error rate "));
        assertThat(first.stream().distinct().count()).as("latencies vary").isGreaterThan(250);
    }

    @Test
    void failsAtTheConfiguredRateWithinStatisticalBounds() {
        SimulatedDependency dependency = builder().errorRate(0.2).seed(2024).latency(LatencyDistribution.fixed(Duration.ZERO)).build();

        List<String> outcomes = run(dependency, scheduler, 10_000);

        long failed = outcomes.stream().filter(o -> o.startsWith("error rate")).count();
        // 0.2 ± 4 standard deviations (sqrt(0.2 × 0.8 / 10 000) = 0.004).
        assertThat(failed).isBetween(1_840L, 2_160L);
        assertThat(dependency.failures()).isEqualTo(failed);
        assertThat(dependency.successes()).isEqualTo(10_000 - failed);
        assertThat(dependency.calls()).isEqualTo(10_000);
        assertThat(dependency.inFlight()).isZero();
    }

    @Test
    void errorRatesOfZeroAndOneNeverAndAlwaysFail() {
        SimulatedDependency healthy = builder().errorRate(0).build();
        SimulatedDependency broken = SimulatedDependency.builder("broken").scheduler(scheduler).errorRate(1).build();

        assertThat(run(healthy, scheduler, 500)).allMatch(o -> o.equals("ok 1000000ns"));
        assertThat(run(broken, scheduler, 500)).allMatch(o -> o.equals("error rate 1000000ns"));
        assertThat(broken.failures()).isEqualTo(500);
        assertThat(healthy.successes()).isEqualTo(500);
    }

    @Test
    void callSpendsTheLatencyOnTheSchedulerAndSaysWhoFailedAndWhy() {
        SimulatedDependency dependency = builder().latency(LatencyDistribution.fixed(Duration.ofMillis(25))).errorRate(1).build();
        long before = scheduler.ticker().read();

        assertThatThrownBy(dependency::call)
                .isInstanceOfSatisfying(SimulatedFailureException.class, e -> {
                    assertThat(e.dependency()).isEqualTo("payments");
                    assertThat(e.reason()).isEqualTo(SimulatedFailureException.ERROR_RATE);
                })
                .hasMessage("simulated failure of 'payments': error rate");

        assertThat(scheduler.ticker().read() - before).isEqualTo(25 * MS);
        assertThat(scheduler.sleeps()).containsExactly(25 * MS);
        assertThat(dependency.elapsed()).isEqualTo(Duration.ofMillis(25));
    }

    @Test
    void defaultsToOneMillisecondAndNoErrors() {
        SimulatedDependency dependency = builder().build();

        assertThat(dependency.call()).isEqualTo(SimulatedDependency.OK).isEqualTo("ok");
        assertThat(scheduler.totalSleptNanos()).isEqualTo(1 * MS);
        assertThat(dependency.name()).isEqualTo("payments");
        assertThat(dependency.toString()).contains("payments", "fixed(1ms)", "calls=1");
    }

    @Test
    void callAsyncCompletesOnlyWhenVirtualTimeReachesTheLatency() throws Exception {
        SimulatedDependency dependency = builder().latency(LatencyDistribution.fixed(Duration.ofMillis(40))).build();

        CompletableFuture<String> reply = dependency.callAsync();

        assertThat(reply).isNotDone();
        assertThat(dependency.inFlight()).isEqualTo(1);
        scheduler.advance(Duration.ofMillis(39));
        assertThat(reply).isNotDone();
        scheduler.advance(Duration.ofMillis(1));
        assertThat(reply).isCompletedWithValue("ok");
        assertThat(dependency.inFlight()).isZero();
        assertThat(dependency.successes()).isEqualTo(1);
        assertThat(scheduler.sleeps()).as("the caller never slept").isEmpty();
    }

    @Test
    void callAsyncFailuresCompleteTheFutureExceptionally() {
        SimulatedDependency dependency = builder().latency(LatencyDistribution.fixed(Duration.ofMillis(5))).errorRate(1).build();

        CompletableFuture<String> reply = dependency.callAsync();
        scheduler.advance(Duration.ofMillis(5));

        assertThat(reply).isCompletedExceptionally();
        assertThatThrownBy(reply::get)
                .isInstanceOf(ExecutionException.class)
                .cause().isInstanceOfSatisfying(SimulatedFailureException.class,
                        e -> assertThat(e.reason()).isEqualTo(SimulatedFailureException.ERROR_RATE));
        assertThat(dependency.failures()).isEqualTo(1);
        assertThat(dependency.inFlight()).isZero();
    }

    @Test
    void cancellingAnAsyncCallDropsTheWorkAndCountsItAsAbandoned() {
        SimulatedDependency dependency = builder().latency(LatencyDistribution.fixed(Duration.ofMillis(100))).build();
        CompletableFuture<String> reply = dependency.callAsync();

        reply.cancel(false);

        assertThat(scheduler.pendingTasks()).isZero();
        assertThat(dependency.abandoned()).isEqualTo(1);
        assertThat(dependency.inFlight()).isZero();
        scheduler.advance(Duration.ofSeconds(1));
        assertThat(dependency.successes()).isZero();
        assertThat(dependency.calls()).isEqualTo(1);
    }

    @Test
    void anInterruptingTimeoutEndsTheCallAndIsVisibleToTheCaller() {
        SimulatedDependency dependency = builder().latency(LatencyDistribution.fixed(Duration.ofMillis(500))).build();
        Thread caller = Thread.currentThread();
        scheduler.schedule(caller::interrupt, 20 * MS); // what a timeout policy does

        assertThatThrownBy(dependency::call)
                .isNotInstanceOf(SimulatedFailureException.class)
                .hasCauseInstanceOf(InterruptedException.class)
                .hasMessageContaining("payments");

        assertThat(Thread.interrupted()).as("interrupt status restored (and cleared here)").isTrue();
        assertThat(dependency.elapsed()).isEqualTo(Duration.ofMillis(20));
        assertThat(dependency.abandoned()).isEqualTo(1);
        assertThat(dependency.failures()).isZero();
        assertThat(dependency.inFlight()).isZero();
    }

    @Test
    void countersStayConsistentUnderEightThreads() throws InterruptedException {
        SimulatedDependency dependency = builder().errorRate(0.5).build();
        int threads = 8;
        int callsEach = 1_000;
        CountDownLatch go = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            workers.add(new Thread(() -> {
                try {
                    go.await();
                } catch (InterruptedException e) {
                    return;
                }
                for (int i = 0; i < callsEach; i++) {
                    try {
                        dependency.call();
                    } catch (SimulatedFailureException expected) {
                        // counted below
                    }
                }
            }));
        }
        workers.forEach(Thread::start);
        go.countDown();
        for (Thread worker : workers) {
            worker.join();
        }

        assertThat(dependency.calls()).isEqualTo(8_000);
        assertThat(dependency.successes() + dependency.failures()).isEqualTo(8_000);
        assertThat(dependency.failures()).isBetween(3_700L, 4_300L);
        assertThat(dependency.inFlight()).isZero();
        assertThat(scheduler.sleeps()).hasSize(8_000);
        assertThat(dependency.callsDuring(Duration.ZERO, Duration.ofMinutes(10))).isEqualTo(8_000);
    }

    @Test
    void worksOnTheSystemSchedulerByDefault() {
        SimulatedDependency dependency = SimulatedDependency.builder("instant")
                .latency(LatencyDistribution.fixed(Duration.ZERO)).build();

        assertThat(dependency.call()).isEqualTo("ok");
        assertThat(dependency.callAsync()).succeedsWithin(Duration.ofSeconds(10)).isEqualTo("ok");
        assertThat(dependency.successes()).isEqualTo(2);
    }

    @Test
    void builderRejectsBadSettingsNamingTheField() {
        assertThatThrownBy(() -> SimulatedDependency.builder(" "))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.field()).isEqualTo("name"));
        assertThatThrownBy(() -> builder().errorRate(1.5))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.field()).isEqualTo("errorRate"));
        assertThatThrownBy(() -> builder().errorRate(Double.NaN)).isInstanceOf(InvalidConfigException.class);
        assertThatThrownBy(() -> builder().latency(null))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.field()).isEqualTo("latency"));
        assertThatThrownBy(() -> builder().scheduler((Scheduler) null))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.field()).isEqualTo("scheduler"));
    }
}
