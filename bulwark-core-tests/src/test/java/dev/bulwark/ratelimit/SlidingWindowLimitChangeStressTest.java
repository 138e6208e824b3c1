package dev.bulwark.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.testing.VirtualScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.RepeatedTest;

/**
 * Limit changes racing with grants and with each other lose nothing. The clock stands still, so
 * every grant stays in the window: the grants in all can never exceed the largest limit ever set,
 * and after the changes stop exactly that limit's worth has been granted.
 */
class SlidingWindowLimitChangeStressTest {

    @RepeatedTest(3)
    void grantsDuringLimitChangesAreNeverLost() throws Exception {
        VirtualScheduler scheduler = new VirtualScheduler(); // time never moves in this test
        SlidingWindowLimiter limiter = SlidingWindowLimiter.builder("s").limit(50, Duration.ofHours(1))
                .exact(true).scheduler(scheduler).build();
        int callers = 3;
        int changers = 2;
        ExecutorService pool = Executors.newFixedThreadPool(callers + changers);
        AtomicBoolean changing = new AtomicBoolean(true);
        AtomicInteger granted = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> work = new ArrayList<>();
        try {
            for (int c = 0; c < callers; c++) {
                work.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < 200_000 && granted.get() < 60; i++) {
                        if (limiter.tryAcquire()) {
                            granted.incrementAndGet();
                        }
                    }
                    return null;
                }));
            }
            for (int c = 0; c < changers; c++) {
                int offset = c;
                work.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; changing.get() && i < 20_000; i++) {
                        limiter.setLimit(40 + (i + offset) % 21); // 40 .. 60
                    }
                    return null;
                }));
            }
            start.countDown();
            for (int i = 0; i < callers; i++) {
                work.get(i).get(60, TimeUnit.SECONDS);
            }
            changing.set(false);
            for (Future<?> f : work) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
            assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }

        assertThat(granted.get()).as("grants never exceed the largest limit set").isLessThanOrEqualTo(60);
        limiter.setLimit(60);
        int more = 0;
        while (limiter.tryAcquire()) {
            more++;
        }
        assertThat(granted.get() + more).as("every grant is still counted after the changes").isEqualTo(60);
    }
}
