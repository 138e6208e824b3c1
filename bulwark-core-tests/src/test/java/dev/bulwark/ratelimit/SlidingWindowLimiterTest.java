package dev.bulwark.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.InvalidConfigException;
import dev.bulwark.testing.VirtualScheduler;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SlidingWindowLimiterTest {
    private static final long MS = 1_000_000L;
    private static final long WINDOW = Duration.ofSeconds(1).toNanos();

    private final VirtualScheduler scheduler = new VirtualScheduler();

    private SlidingWindowLimiter exact(int limit) {
        return SlidingWindowLimiter.builder("login").limit(limit, Duration.ofSeconds(1)).scheduler(scheduler).build();
    }

    private SlidingWindowLimiter approximate(int limit) {
        return SlidingWindowLimiter.builder("feed").limit(limit, Duration.ofSeconds(1)).exact(false)
                .scheduler(scheduler).build();
    }

    private static int drain(RateLimiter limiter) {
        int taken = 0;
        while (limiter.tryAcquire()) {
            taken++;
            if (taken > 10_000_000) {
                throw new AssertionError("never runs dry");
            }
        }
        return taken;
    }

    @Test
    void modeDefaultsToExactUpToExactMaxAndApproximateAbove() {
        assertThat(exact(SlidingWindowLimiter.EXACT_MAX).isExact()).isTrue();
        assertThat(exact(SlidingWindowLimiter.EXACT_MAX + 1).isExact()).isFalse();
        assertThat(approximate(5).isExact()).isFalse();
        assertThat(SlidingWindowLimiter.builder("x").limit(SlidingWindowLimiter.EXACT_MAX + 1, Duration.ofSeconds(1))
                .exact(true).scheduler(scheduler).build().isExact()).isTrue();
    }

    @Nested
    class ExactMode {

        @Test
        void admitsTheLimitThenRejects() {
            SlidingWindowLimiter limiter = exact(3);

            assertThat(drain(limiter)).isEqualTo(3);
            assertThat(limiter.limit()).isEqualTo(3);
        }

        @Test
        void windowBoundaryIsExact() {
            SlidingWindowLimiter limiter = exact(1);

            assertThat(limiter.tryAcquire()).as("at t").isTrue();
            scheduler.advance(WINDOW - 1);
            assertThat(limiter.tryAcquire()).as("at t + window - 1ns").isFalse();
            scheduler.advance(1);
            assertThat(limiter.tryAcquire()).as("at t + window").isTrue();
            assertThat(limiter.tryAcquire()).isFalse();
        }

        @Test
        void slidesGrantByGrantRatherThanResettingAtFixedBoundaries() {
            SlidingWindowLimiter limiter = exact(3);
            assertThat(limiter.tryAcquire()).isTrue(); // t = 0
            scheduler.advance(Duration.ofMillis(400));
            assertThat(limiter.tryAcquire()).isTrue(); // 400
            scheduler.advance(Duration.ofMillis(400));
            assertThat(limiter.tryAcquire()).isTrue(); // 800

            scheduler.advance(Duration.ofMillis(199)); // 999
            assertThat(limiter.tryAcquire()).isFalse();
            scheduler.advance(Duration.ofMillis(1)); // 1000: the grant at 0 has left the window
            assertThat(limiter.tryAcquire()).isTrue();
            assertThat(limiter.tryAcquire()).isFalse();

            scheduler.advance(Duration.ofMillis(399)); // 1399: 400, 800, 1000 are in the window
            assertThat(limiter.tryAcquire()).isFalse();
            scheduler.advance(Duration.ofMillis(1)); // 1400
            assertThat(limiter.tryAcquire()).isTrue();
        }

        @Test
        void nanosUntilPermitIsWhenTheOldestGrantInTheWindowExpires() {
            SlidingWindowLimiter limiter = exact(2);
            assertThat(limiter.nanosUntilPermit()).isZero();

            limiter.tryAcquire();
            scheduler.advance(Duration.ofMillis(300));
            assertThat(limiter.nanosUntilPermit()).as("one permit still free").isZero();
            limiter.tryAcquire();

            assertThat(limiter.nanosUntilPermit()).isEqualTo(700 * MS);
            scheduler.advance(700 * MS - 1);
            assertThat(limiter.tryAcquire()).isFalse();
            scheduler.advance(1);
            assertThat(limiter.nanosUntilPermit()).isZero();
            assertThat(limiter.tryAcquire()).isTrue();
            assertThat(limiter.nanosUntilPermit()).isEqualTo(300 * MS);
        }

        @Test
        void multiplePermitsCountAsThatManyGrants() {
            SlidingWindowLimiter limiter = exact(5);

            assertThat(limiter.tryAcquire(3)).isTrue();
            assertThat(limiter.tryAcquire(3)).isFalse();
            assertThat(limiter.tryAcquire(2)).isTrue();
            assertThat(limiter.tryAcquire()).isFalse();
            scheduler.advance(WINDOW);
            assertThat(limiter.tryAcquire(5)).isTrue();
        }

        @Test
        void permitsOutsideOneToLimitAreAnError() {
            SlidingWindowLimiter limiter = exact(5);

            assertThatThrownBy(() -> limiter.tryAcquire(6))
                    .isInstanceOf(InvalidConfigException.class)
                    .hasMessageContaining("permits").hasMessageContaining("6").hasMessageContaining("allowed");
            assertThatThrownBy(() -> limiter.tryAcquire(0))
                    .isInstanceOf(InvalidConfigException.class)
                    .hasMessageContaining("permits").hasMessageContaining("0").hasMessageContaining("allowed");
        }

        /**
         * Against a reference model: a call is admitted if and only if fewer than {@code limit} grants
         * lie in (now − window, now]. So never more than the limit in any window, and never a
         * needless refusal.
         */
        @ParameterizedTest(name = "limit {0}")
        @ValueSource(ints = {1, 2, 7, 50})
        void admitsExactlyWhatTheReferenceModelAdmits(int limit) {
            SlidingWindowLimiter limiter = exact(limit);
            Random random = new Random(limit);
            Deque<Long> window = new ArrayDeque<>();
            List<Long> grants = new ArrayList<>();
            long meanGap = WINDOW / limit;
            for (int i = 0; i < 20_000; i++) {
                scheduler.advance(random.nextInt(4) == 0 ? 0 : (long) (random.nextDouble() * meanGap * 1.5));
                long now = scheduler.ticker().read();
                while (!window.isEmpty() && now - window.peekFirst() >= WINDOW) {
                    window.pollFirst();
                }
                boolean expected = window.size() < limit;
                boolean admitted = limiter.tryAcquire();
                assertThat(admitted).as("attempt %d at %d with %d grants in window", i, now, window.size())
                        .isEqualTo(expected);
                if (admitted) {
                    window.addLast(now);
                    grants.add(now);
                }
            }
            for (int i = 0; i + limit < grants.size(); i++) {
                assertThat(grants.get(i + limit) - grants.get(i)).as("%d grants within one window", limit + 1)
                        .isGreaterThanOrEqualTo(WINDOW);
            }
            assertThat(grants.size()).isGreaterThan(limit * 10);
        }

        @Test
        void concurrentCallersAtOneInstantGetExactlyTheLimit() throws Exception {
            SlidingWindowLimiter limiter = exact(100);
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                for (int round = 0; round < 3; round++) {
                    List<Callable<Integer>> callers = new ArrayList<>();
                    for (int t = 0; t < 4; t++) {
                        callers.add(() -> {
                            int granted = 0;
                            for (int i = 0; i < 5_000; i++) {
                                if (limiter.tryAcquire()) {
                                    granted++;
                                }
                            }
                            return granted;
                        });
                    }
                    int total = 0;
                    for (Future<Integer> f : pool.invokeAll(callers)) {
                        total += f.get();
                    }
                    assertThat(total).as("round %d", round).isEqualTo(100);
                    scheduler.advance(WINDOW);
                }
            } finally {
                pool.shutdownNow();
                assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
            }
        }

        @Test
        void loweringTheLimitKeepsTheMostRecentGrantsCounted() {
            SlidingWindowLimiter limiter = exact(5);
            for (int i = 0; i < 5; i++) { // grants at 0, 100, 200, 300, 400 ms
                assertThat(limiter.tryAcquire()).isTrue();
                scheduler.advance(Duration.ofMillis(100));
            }
            scheduler.advance(Duration.ofMillis(600)); // now 1100: the grant at 0 expired, 4 in window

            limiter.setLimit(3);

            assertThat(limiter.limit()).isEqualTo(3);
            assertThat(limiter.tryAcquire()).as("200, 300, 400 still count against 3").isFalse();
            assertThat(limiter.nanosUntilPermit()).isEqualTo(100 * MS);
            scheduler.advance(100 * MS - 1); // 1199
            assertThat(limiter.tryAcquire()).isFalse();
            scheduler.advance(1); // 1200: the grant at 200 expired
            assertThat(limiter.tryAcquire()).isTrue();
            assertThat(limiter.tryAcquire()).isFalse();
        }

        @Test
        void raisingTheLimitKeepsGrantsCountedAndAdmitsTheDifference() {
            SlidingWindowLimiter limiter = exact(3);
            drain(limiter);

            limiter.setLimit(5);

            assertThat(drain(limiter)).isEqualTo(2);
            scheduler.advance(WINDOW);
            assertThat(drain(limiter)).isEqualTo(5);
        }

        @Test
        void loweringThenRaisingTheLimitForgetsNoGrantStillInTheWindow() {
            SlidingWindowLimiter limiter = exact(4);
            drain(limiter);

            limiter.setLimit(2);
            limiter.setLimit(6);

            assertThat(drain(limiter)).as("all 4 grants still count under 6").isEqualTo(2);
            scheduler.advance(WINDOW);
            assertThat(drain(limiter)).isEqualTo(6);
        }

        @Test
        void rejectionNamesTheLimiterAndTheLimit() {
            SlidingWindowLimiter limiter = exact(2);
            drain(limiter);
            scheduler.advance(Duration.ofMillis(250));

            RateLimitedException rejection = limiter.rejection();

            assertThat(rejection.policyName()).isEqualTo("login");
            assertThat(rejection.getMessage()).contains("'login'").contains("2 per PT1S").doesNotContain("approximate");
            assertThat(rejection.retryAfterNanos()).isEqualTo(limiter.nanosUntilPermit()).isEqualTo(750 * MS);
        }

        @Test
        void tryAcquireWithWaitSleepsUntilTheWindowFrees() {
            SlidingWindowLimiter limiter = exact(1);
            limiter.tryAcquire();
            scheduler.advance(Duration.ofMillis(200));

            assertThat(limiter.tryAcquire(1, Duration.ofMillis(799))).as("800 ms needed").isFalse();
            assertThat(scheduler.sleeps()).isEmpty();

            assertThat(limiter.tryAcquire(1, Duration.ofMillis(800))).isTrue();
            assertThat(scheduler.sleeps()).containsExactly(800 * MS);
            assertThat(limiter.tryAcquire()).isFalse();
        }
    }

    @Nested
    class ApproximateMode {

        @Test
        void admitsTheLimitWithinTheFirstWindow() {
            SlidingWindowLimiter limiter = approximate(10);

            assertThat(drain(limiter)).isEqualTo(10);
            assertThat(limiter.isExact()).isFalse();
        }

        @Test
        void previousWindowWeighsInAtTheBoundaryAndFadesLinearly() {
            SlidingWindowLimiter limiter = approximate(10);
            drain(limiter); // 10 in window 0

            scheduler.advance(WINDOW); // start of window 1: estimate 10 × 1.0 + 0
            assertThat(limiter.tryAcquire()).as("at the boundary the previous window counts whole").isFalse();

            scheduler.advance(WINDOW / 2); // halfway: 10 × 0.5 = 5
            assertThat(drain(limiter)).isEqualTo(5);

            scheduler.advance(WINDOW / 2); // window 2: previous = 5 (window 1), current 0
            assertThat(limiter.tryAcquire(6)).isFalse();
            assertThat(drain(limiter)).isEqualTo(5);

            scheduler.advance(2 * WINDOW); // window 4: windows 2 and 3 are gone
            assertThat(drain(limiter)).isEqualTo(10);
        }

        @Test
        void anIdleWindowClearsThePreviousCount() {
            SlidingWindowLimiter limiter = approximate(4);
            drain(limiter);

            scheduler.advance(2 * WINDOW); // window 2: window 1 was empty

            assertThat(drain(limiter)).isEqualTo(4);
        }

        @Test
        void nanosUntilPermitIsZeroWhenAdmissibleAndUntilTheNextWindowWhenTheCurrentIsFull() {
            SlidingWindowLimiter limiter = approximate(4);
            assertThat(limiter.nanosUntilPermit()).isZero();

            scheduler.advance(Duration.ofMillis(250));
            drain(limiter);

            assertThat(limiter.nanosUntilPermit()).as("current window full: wait for the next one")
                    .isEqualTo(750 * MS);
        }

        @Test
        void nanosUntilPermitAccountsForThePreviousWindowFading() {
            SlidingWindowLimiter limiter = approximate(4);
            drain(limiter); // 4 in window 0
            scheduler.advance(WINDOW); // window 1 start: 4 × (1 − f) + 1 ≤ 4 needs f ≥ 0.25

            long wait = limiter.nanosUntilPermit();

            assertThat(wait).isEqualTo(250 * MS);
            scheduler.advance(wait);
            assertThat(limiter.tryAcquire()).isTrue();
        }

        @Test
        void loweringTheLimitKeepsTheCounts() {
            SlidingWindowLimiter limiter = approximate(10);
            assertThat(limiter.tryAcquire(6)).isTrue();

            limiter.setLimit(5);
            assertThat(limiter.limit()).isEqualTo(5);
            assertThat(limiter.tryAcquire()).isFalse();

            limiter.setLimit(8);
            assertThat(drain(limiter)).isEqualTo(2);
        }

        @Test
        void rejectionSaysTheLimitIsApproximate() {
            SlidingWindowLimiter limiter = approximate(3);
            drain(limiter);

            RateLimitedException rejection = limiter.rejection();

            assertThat(rejection.getMessage()).contains("'feed'").contains("3 per PT1S").contains("approximate");
            assertThat(rejection.retryAfterNanos()).isEqualTo(WINDOW);
        }

        @Test
        void neverAdmitsMoreThanTwiceTheLimitInAnyWindowAndAtMostTheLimitPerFixedWindow() {
            int limit = 20;
            SlidingWindowLimiter limiter = approximate(limit);
            long origin = scheduler.ticker().read();
            Random random = new Random(3);
            List<Long> grants = new ArrayList<>();
            for (int i = 0; i < 50_000; i++) {
                scheduler.advance((long) (random.nextDouble() * WINDOW / limit));
                if (limiter.tryAcquire()) {
                    grants.add(scheduler.ticker().read());
                }
            }
            long[] perWindow = new long[(int) ((scheduler.ticker().read() - origin) / WINDOW) + 1];
            for (long t : grants) {
                perWindow[(int) ((t - origin) / WINDOW)]++;
            }
            for (long count : perWindow) {
                assertThat(count).isLessThanOrEqualTo(limit);
            }
            for (int i = 0; i + 2 * limit < grants.size(); i++) {
                assertThat(grants.get(i + 2 * limit) - grants.get(i)).isGreaterThanOrEqualTo(WINDOW);
            }
            // Busy callers get close to the limit per window on average.
            double perSecond = grants.size() * 1e9 / (scheduler.ticker().read() - origin);
            assertThat(perSecond).isBetween(limit * 0.8, limit * 1.0);
        }

        /**
         * The advertised wait is rounded up: a caller that waits exactly that long finds a permit.
         * (Truncating it once answered 1 ns early.)
         */
        @Test
        void afterAdvancingByNanosUntilPermitAPermitIsAvailable() {
            SlidingWindowLimiter limiter = approximate(10);
            drain(limiter);
            scheduler.advance(WINDOW);

            long wait = limiter.nanosUntilPermit();
            scheduler.advance(wait);

            assertThat(limiter.tryAcquire()).as("after waiting the advertised %d ns", wait).isTrue();
        }

        /**
         * The approximate window keeps its full window number: after any idle gap, however long,
         * old counts never apply again. (A 24-bit window number once aliased after 2^24 idle
         * windows, 4.66 hours with a 1 ms window.)
         */
        @Test
        void countsDoNotComeBackAfterALongIdleGap() {
            SlidingWindowLimiter limiter = SlidingWindowLimiter.builder("ms").limit(10, Duration.ofMillis(1))
                    .exact(false).scheduler(scheduler).build();
            drain(limiter);

            scheduler.advance(Duration.ofMillis(1L << 24));

            assertThat(drain(limiter)).as("idle for 4.66 hours").isEqualTo(10);
        }
    }
}
