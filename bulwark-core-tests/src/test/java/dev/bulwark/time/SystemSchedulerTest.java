package dev.bulwark.time;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The system scheduler against the real clock (it is the real clock's scheduler; everything else
 * is tested in virtual time): short delays run on the timer thread, longer ones on a wheel that
 * schedules without waking a thread. Neither fires early, the wheel at most a tick late, and a
 * cancelled task never runs, however many are scheduled and cancelled at once.
 */
class SystemSchedulerTest {
    private final Scheduler scheduler = Scheduler.system();

    @Test
    void shortAndLongDelaysFireOnTimeAndNeverEarly() throws InterruptedException {
        ConcurrentLinkedQueue<Long> lateness = new ConcurrentLinkedQueue<>();
        CountDownLatch fired = new CountDownLatch(6);
        for (long millis : new long[] {1, 5, 19, 20, 50, 120}) {
            long due = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
            scheduler.schedule(() -> {
                lateness.add(System.nanoTime() - due);
                fired.countDown();
            }, TimeUnit.MILLISECONDS.toNanos(millis));
        }
        assertThat(fired.await(5, TimeUnit.SECONDS)).isTrue();
        assertThat(lateness).allSatisfy(late -> assertThat(late).as("never early").isGreaterThanOrEqualTo(0));
    }

    @Test
    void cancelledTasksNeverRunAndTheRestDo() {
        AtomicInteger wrong = new AtomicInteger();
        AtomicInteger right = new AtomicInteger();
        List<Scheduler.Cancellable> cancelled = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            cancelled.add(scheduler.schedule(wrong::incrementAndGet, TimeUnit.MILLISECONDS.toNanos(30 + i % 50)));
        }
        for (int i = 0; i < 100; i++) {
            scheduler.schedule(right::incrementAndGet, TimeUnit.MILLISECONDS.toNanos(25 + i % 40));
        }
        for (Scheduler.Cancellable c : cancelled) {
            assertThat(c.cancel()).isTrue();
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> right.get() == 100);
        await().pollDelay(Duration.ofMillis(150)).atMost(Duration.ofSeconds(2)).until(() -> true);
        assertThat(wrong).as("cancelled tasks that ran").hasValue(0);
        assertThat(cancelled.get(0).cancel()).as("a second cancel cancels nothing").isFalse();
    }

    @Test
    void theWheelIdlesWithoutTimersAndWakesForTheNextOne() {
        AtomicInteger runs = new AtomicInteger();
        scheduler.schedule(runs::incrementAndGet, TimeUnit.MILLISECONDS.toNanos(30));
        await().atMost(Duration.ofSeconds(2)).until(() -> runs.get() == 1);
        await().pollDelay(Duration.ofMillis(100)).atMost(Duration.ofSeconds(1)).until(() -> true); // idle, parked
        scheduler.schedule(runs::incrementAndGet, TimeUnit.MILLISECONDS.toNanos(30));
        await().atMost(Duration.ofSeconds(2)).until(() -> runs.get() == 2);
    }
}
