package dev.bulwark.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.InvalidConfigException;
import dev.bulwark.time.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class VirtualSchedulerTest {
    private static final long MS = 1_000_000L;

    private final VirtualScheduler scheduler = new VirtualScheduler();
    private final long start = scheduler.ticker().read();
    /** What ran, as "name@ms since start". */
    private final List<String> log = Collections.synchronizedList(new ArrayList<>());

    private Runnable logging(String name) {
        return () -> log.add(name + "@" + (scheduler.ticker().read() - start) / MS);
    }

    private long elapsedMs() {
        return (scheduler.ticker().read() - start) / MS;
    }

    @Test
    void sharesTheTickerItWasGiven() {
        FakeTicker ticker = new FakeTicker();
        VirtualScheduler onTicker = new VirtualScheduler(ticker);

        onTicker.advance(Duration.ofSeconds(1));

        assertThat(onTicker.ticker()).isSameAs(ticker);
        assertThat(ticker.read()).isEqualTo(FakeTicker.START + 1_000 * MS);
        assertThatThrownBy(() -> new VirtualScheduler(null)).isInstanceOf(InvalidConfigException.class);
    }

    @Test
    void tasksWaitForTheClockAndRunInDueOrderAtTheirDueTime() {
        scheduler.schedule(logging("c"), 30 * MS);
        scheduler.schedule(logging("a"), 10 * MS);
        scheduler.schedule(logging("b"), 20 * MS);
        assertThat(log).isEmpty();
        assertThat(scheduler.pendingTasks()).isEqualTo(3);

        int ran = scheduler.advance(Duration.ofMillis(100));

        assertThat(ran).isEqualTo(3);
        assertThat(log).containsExactly("a@10", "b@20", "c@30");
        assertThat(elapsedMs()).isEqualTo(100);
        assertThat(scheduler.pendingTasks()).isZero();
    }

    @Test
    void tasksDueAtTheSameTimeRunInTheOrderTheyWereScheduled() {
        for (String name : List.of("first", "second", "third", "fourth")) {
            scheduler.schedule(logging(name), 5 * MS);
        }
        scheduler.schedule(logging("earlier"), 4 * MS);

        scheduler.advance(5 * MS);

        assertThat(log).containsExactly("earlier@4", "first@5", "second@5", "third@5", "fourth@5");
    }

    @Test
    void advanceRunsTasksDueAtTheTargetButNotAfterIt() {
        scheduler.schedule(logging("at-target"), 50 * MS);
        scheduler.schedule(logging("after"), 50 * MS + 1);

        assertThat(scheduler.advance(Duration.ofMillis(50))).isEqualTo(1);

        assertThat(log).containsExactly("at-target@50");
        assertThat(scheduler.pendingTasks()).isEqualTo(1);
        assertThat(scheduler.advance(1)).isEqualTo(1);
        assertThat(log).hasSize(2);
    }

    @Test
    void zeroAndNegativeDelaysAreDueNowButOnlyRunWhenAsked() {
        scheduler.schedule(logging("zero"), 0);
        scheduler.schedule(logging("negative"), -5 * MS);
        assertThat(log).isEmpty();

        assertThat(scheduler.runDue()).isEqualTo(2);

        assertThat(log).containsExactly("zero@0", "negative@0");
        assertThat(elapsedMs()).isZero();
    }

    @Test
    void cancelRemovesATaskThatHasNotRun() {
        Scheduler.Cancellable cancelled = scheduler.schedule(logging("cancelled"), 10 * MS);
        Scheduler.Cancellable kept = scheduler.schedule(logging("kept"), 10 * MS);

        assertThat(cancelled.cancel()).isTrue();
        assertThat(cancelled.cancel()).as("second cancel").isFalse();
        assertThat(scheduler.pendingTasks()).isEqualTo(1);
        scheduler.advance(Duration.ofMillis(10));

        assertThat(log).containsExactly("kept@10");
        assertThat(kept.cancel()).as("cancel after it ran").isFalse();
    }

    @Test
    void aTaskCanCancelALaterTaskDueInTheSameAdvance() {
        Scheduler.Cancellable victim = scheduler.schedule(logging("victim"), 20 * MS);
        scheduler.schedule(() -> log.add("cancelled victim: " + victim.cancel()), 10 * MS);

        scheduler.advance(Duration.ofMillis(30));

        assertThat(log).containsExactly("cancelled victim: true");
    }

    @Test
    void tasksScheduledByTasksRunInTheSameAdvanceIfDueByTheTarget() {
        scheduler.schedule(() -> {
            logging("parent").run();
            scheduler.schedule(logging("child"), 5 * MS);
            scheduler.schedule(() -> {
                logging("nephew").run();
                scheduler.schedule(logging("grandchild"), 0);
            }, 8 * MS);
            scheduler.schedule(logging("too-late"), 50 * MS);
        }, 10 * MS);
        scheduler.schedule(logging("sibling"), 16 * MS);

        assertThat(scheduler.advance(Duration.ofMillis(20))).isEqualTo(5);

        assertThat(log).containsExactly("parent@10", "child@15", "sibling@16", "nephew@18", "grandchild@18");
        assertThat(elapsedMs()).isEqualTo(20);
        assertThat(scheduler.pendingTasks()).isEqualTo(1);
        scheduler.advance(Duration.ofMillis(40));
        assertThat(log).endsWith("too-late@60");
    }

    @Test
    void theLockIsNotHeldWhileATaskRuns() {
        AtomicReference<String> seenByOtherThread = new AtomicReference<>("nothing");
        scheduler.schedule(() -> {
            CountDownLatch done = new CountDownLatch(1);
            new Thread(() -> {
                scheduler.schedule(logging("from-other-thread"), 1 * MS);
                seenByOtherThread.set("pending=" + scheduler.pendingTasks());
                done.countDown();
            }).start();
            try {
                // Would time out if the scheduler's lock were held here.
                log.add("other thread finished: " + done.await(10, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, 10 * MS);

        scheduler.advance(Duration.ofMillis(20));

        assertThat(log).containsExactly("other thread finished: true", "from-other-thread@11");
        assertThat(seenByOtherThread.get()).isEqualTo("pending=1");
        assertThat(scheduler.taskFailures()).isEmpty();
    }

    @Test
    void aFailingTaskIsRecordedAndTheOthersStillRun() {
        IllegalStateException boom = new IllegalStateException("boom");
        scheduler.schedule(logging("before"), 1 * MS);
        scheduler.schedule(() -> {
            throw boom;
        }, 2 * MS);
        scheduler.schedule(() -> {
            throw new AssertionError("failed assertion in a task");
        }, 3 * MS);
        scheduler.schedule(logging("after"), 4 * MS);

        assertThat(scheduler.advance(Duration.ofMillis(5))).isEqualTo(4);

        assertThat(log).containsExactly("before@1", "after@4");
        assertThat(scheduler.taskFailures()).hasSize(2);
        assertThat(scheduler.taskFailures().get(0)).isSameAs(boom);
        assertThat(scheduler.taskFailures().get(1)).isInstanceOf(AssertionError.class);
    }

    @Test
    void rejectsNegativeAdvancesAndNullTasks() {
        assertThatThrownBy(() -> scheduler.advance(-1))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.field()).isEqualTo("nanos"));
        assertThatThrownBy(() -> scheduler.advance(Duration.ofMillis(-1)))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.field()).isEqualTo("duration"));
        assertThatThrownBy(() -> scheduler.schedule(null, 1))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.field()).isEqualTo("task"));
        assertThat(elapsedMs()).isZero();
    }

    @Test
    void sleepAdvancesTheClockRunsDueTasksAndIsRecorded() throws InterruptedException {
        scheduler.schedule(logging("during-sleep"), 40 * MS);
        scheduler.schedule(logging("after-sleep"), 150 * MS);

        scheduler.sleep(100 * MS);
        List<Long> afterFirst = scheduler.sleeps();
        scheduler.sleep(25 * MS);
        scheduler.sleep(-3);

        assertThat(log).containsExactly("during-sleep@40");
        assertThat(elapsedMs()).isEqualTo(125);
        assertThat(afterFirst).containsExactly(100 * MS);
        assertThat(scheduler.sleeps()).containsExactly(100 * MS, 25 * MS, 0L);
        assertThat(scheduler.totalSleptNanos()).isEqualTo(125 * MS);
    }

    @Test
    void sleepOfAnInterruptedThreadThrowsAtOnceAndClearsTheInterrupt() {
        scheduler.schedule(logging("not-reached"), 10 * MS);
        Thread.currentThread().interrupt();

        assertThatThrownBy(() -> scheduler.sleep(100 * MS)).isInstanceOf(InterruptedException.class);

        assertThat(Thread.currentThread().isInterrupted()).isFalse();
        assertThat(elapsedMs()).isZero();
        assertThat(log).isEmpty();
        assertThat(scheduler.sleeps()).isEmpty();
    }

    @Test
    void anInterruptFromATaskEndsTheSleepEarlyLikeATimeout() {
        Thread sleeper = Thread.currentThread();
        scheduler.schedule(sleeper::interrupt, 30 * MS);
        scheduler.schedule(logging("after-the-interrupt"), 60 * MS);

        assertThatThrownBy(() -> scheduler.sleep(100 * MS)).isInstanceOf(InterruptedException.class);

        assertThat(Thread.currentThread().isInterrupted()).isFalse();
        assertThat(elapsedMs()).isEqualTo(30);
        assertThat(scheduler.sleeps()).containsExactly(30 * MS);
        assertThat(log).isEmpty();
        assertThat(scheduler.pendingTasks()).isEqualTo(1);
    }

    @Test
    void manyThreadsCanScheduleAtOnce() throws InterruptedException {
        AtomicInteger runs = new AtomicInteger();
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            int offset = t;
            threads.add(new Thread(() -> {
                for (int i = 0; i < 1_000; i++) {
                    scheduler.schedule(runs::incrementAndGet, (i + offset) * MS);
                }
            }));
        }
        threads.forEach(Thread::start);
        for (Thread thread : threads) {
            thread.join();
        }

        assertThat(scheduler.pendingTasks()).isEqualTo(8_000);
        assertThat(scheduler.advance(Duration.ofSeconds(2))).isEqualTo(8_000);
        assertThat(runs).hasValue(8_000);
    }
}
