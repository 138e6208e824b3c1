package dev.bulwark.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.InvalidConfigException;
import dev.bulwark.testing.FakeTicker;
import dev.bulwark.testing.VirtualScheduler;
import dev.bulwark.time.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TokenBucketTest {
    private static final long MS = 1_000_000L;

    private final VirtualScheduler scheduler = new VirtualScheduler();

    /** 10 permits per second (one every 100 ms), burst {@code burst}. */
    private TokenBucket bucket(int burst) {
        return TokenBucket.builder("search").permitsPerSecond(10).burst(burst).scheduler(scheduler).build();
    }

    private static int drain(TokenBucket bucket) {
        int taken = 0;
        while (bucket.tryAcquire()) {
            taken++;
            if (taken > 1_000_000) {
                throw new AssertionError("bucket never runs dry");
            }
        }
        return taken;
    }

    @Test
    void startsFullAndGrantsExactlyTheBurstAtOnce() {
        TokenBucket bucket = bucket(5);

        assertThat(bucket.availablePermits()).isEqualTo(5);
        assertThat(drain(bucket)).isEqualTo(5);
        assertThat(bucket.availablePermits()).isZero();
        assertThat(bucket.tryAcquire()).isFalse();
    }

    @Test
    void refillsOnePermitPerIntervalOfVirtualTime() {
        TokenBucket bucket = bucket(5);
        drain(bucket);

        scheduler.advance(Duration.ofNanos(100 * MS - 1));
        assertThat(bucket.tryAcquire()).as("one nanosecond before the interval").isFalse();

        scheduler.advance(Duration.ofNanos(1));
        assertThat(bucket.tryAcquire()).as("exactly one interval later").isTrue();
        assertThat(bucket.tryAcquire()).as("only one permit earned").isFalse();

        scheduler.advance(Duration.ofMillis(300));
        assertThat(bucket.availablePermits()).isEqualTo(3);
        assertThat(drain(bucket)).isEqualTo(3);
    }

    @Test
    void refillStopsAtTheBurstAfterAQuietPeriod() {
        TokenBucket bucket = bucket(5);
        drain(bucket);

        scheduler.advance(Duration.ofHours(1));

        assertThat(bucket.availablePermits()).isEqualTo(5);
        assertThat(drain(bucket)).isEqualTo(5);
    }

    @Test
    void tryAcquireManyTakesAllOrNothing() {
        TokenBucket bucket = bucket(5);

        assertThat(bucket.tryAcquire(3)).isTrue();
        assertThat(bucket.availablePermits()).isEqualTo(2);
        assertThat(bucket.tryAcquire(3)).as("only 2 on hand").isFalse();
        assertThat(bucket.availablePermits()).as("a refused request takes nothing").isEqualTo(2);
        assertThat(bucket.tryAcquire(2)).isTrue();
        assertThat(bucket.availablePermits()).isZero();

        scheduler.advance(Duration.ofMillis(200));
        assertThat(bucket.tryAcquire(3)).isFalse();
        assertThat(bucket.tryAcquire(2)).isTrue();
    }

    @Test
    void tryAcquireMoreThanTheBurstIsAnError() {
        TokenBucket bucket = bucket(5);

        assertThatThrownBy(() -> bucket.tryAcquire(6))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("permits").hasMessageContaining("6").hasMessageContaining("allowed");
        assertThatThrownBy(() -> bucket.tryAcquire(0))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("permits").hasMessageContaining("0").hasMessageContaining("allowed");
        assertThat(bucket.availablePermits()).isEqualTo(5);
    }

    @Test
    void reserveReturnsZeroWhilePermitsAreOnHand() {
        TokenBucket bucket = bucket(2);

        assertThat(bucket.reserve(1, 0)).isZero();
        assertThat(bucket.reserve(1, 0)).isZero();
        assertThat(bucket.availablePermits()).isZero();
    }

    @Test
    void reserveReturnsTheWaitAndQueuesReservationsBehindEachOther() {
        TokenBucket bucket = bucket(2);
        drain(bucket);

        assertThat(bucket.reserve(1, Duration.ofSeconds(1).toNanos())).isEqualTo(100 * MS);
        assertThat(bucket.reserve(1, Duration.ofSeconds(1).toNanos())).isEqualTo(200 * MS);
        assertThat(bucket.reserve(2, Duration.ofSeconds(1).toNanos())).isEqualTo(400 * MS);
        assertThat(bucket.nanosUntilPermit()).isEqualTo(500 * MS);

        scheduler.advance(Duration.ofMillis(400));
        assertThat(bucket.tryAcquire()).as("everything up to 400 ms is spoken for").isFalse();
        scheduler.advance(Duration.ofMillis(100));
        assertThat(bucket.tryAcquire()).isTrue();
    }

    @Test
    void reserveReturnsMinusOneAndTakesNothingWhenTheWaitIsTooLong() {
        TokenBucket bucket = bucket(2);
        drain(bucket);

        assertThat(bucket.reserve(1, 100 * MS - 1)).isEqualTo(-1);
        assertThat(bucket.nanosUntilPermit()).as("nothing was reserved").isEqualTo(100 * MS);
        assertThat(bucket.reserve(1, 100 * MS)).isEqualTo(100 * MS);
    }

    @Test
    void tryAcquireWithWaitSleepsExactlyTheWaitOnTheScheduler() {
        TokenBucket bucket = bucket(2);
        drain(bucket);
        long before = scheduler.ticker().read();

        assertThat(bucket.tryAcquire(1, Duration.ofSeconds(1))).isTrue();

        assertThat(scheduler.sleeps()).containsExactly(100 * MS);
        assertThat(scheduler.ticker().read() - before).isEqualTo(100 * MS);
        assertThat(bucket.tryAcquire()).as("the permit earned during the sleep was the one taken").isFalse();
    }

    @Test
    void tryAcquireWithWaitDoesNotSleepWhenAPermitIsOnHand() {
        TokenBucket bucket = bucket(2);

        assertThat(bucket.tryAcquire(2, Duration.ofSeconds(1))).isTrue();

        assertThat(scheduler.sleeps()).isEmpty();
        assertThat(bucket.availablePermits()).isZero();
    }

    @Test
    void tryAcquireWithWaitRefusesAtOnceWithoutSleepingWhenTheWaitExceedsTheBudget() {
        TokenBucket bucket = bucket(2);
        drain(bucket);

        assertThat(bucket.tryAcquire(1, Duration.ofMillis(99))).isFalse();

        assertThat(scheduler.sleeps()).as("no waiting in vain").isEmpty();
        assertThat(bucket.nanosUntilPermit()).as("nothing reserved").isEqualTo(100 * MS);
    }

    @Test
    void tryAcquireWithWaitReturnsFalseAndKeepsTheInterruptWhenInterrupted() {
        TokenBucket bucket = bucket(1);
        drain(bucket);

        Thread.currentThread().interrupt();
        try {
            assertThat(bucket.tryAcquire(1, Duration.ofSeconds(1))).isFalse();
            assertThat(Thread.currentThread().isInterrupted()).as("interrupt status set again").isTrue();
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void nanosUntilPermitIsZeroWithPermitsOnHandAndCountsDownOtherwise() {
        TokenBucket bucket = bucket(3);
        assertThat(bucket.nanosUntilPermit()).isZero();

        drain(bucket);
        assertThat(bucket.nanosUntilPermit()).isEqualTo(100 * MS);

        scheduler.advance(Duration.ofMillis(30));
        assertThat(bucket.nanosUntilPermit()).isEqualTo(70 * MS);

        scheduler.advance(Duration.ofMillis(70));
        assertThat(bucket.nanosUntilPermit()).isZero();
        assertThat(bucket.tryAcquire()).isTrue();
    }

    @Test
    void afterAdvancingByNanosUntilPermitAPermitIsAvailable() {
        TokenBucket bucket = TokenBucket.builder("odd").permitsPerSecond(7).burst(3).scheduler(scheduler).build();
        Random random = new Random(42);
        for (int i = 0; i < 200; i++) {
            drain(bucket);
            long wait = bucket.nanosUntilPermit();
            assertThat(wait).isPositive();
            if (wait > 1) {
                scheduler.advance(wait - 1);
                assertThat(bucket.tryAcquire()).as("1 ns early").isFalse();
                scheduler.advance(1);
            } else {
                scheduler.advance(wait);
            }
            assertThat(bucket.tryAcquire()).as("exactly nanosUntilPermit later").isTrue();
            scheduler.advance(random.nextInt(1_000) * MS);
        }
    }

    @Test
    void rejectionCarriesRetryAfterEqualToNanosUntilPermitAndNamesTheLimit() {
        TokenBucket bucket = bucket(2);
        drain(bucket);
        scheduler.advance(Duration.ofMillis(40));

        RateLimitedException rejection = bucket.rejection();

        assertThat(rejection.retryAfterNanos()).isEqualTo(bucket.nanosUntilPermit()).isEqualTo(60 * MS);
        assertThat(rejection.policyName()).isEqualTo("search");
        assertThat(rejection.getMessage())
                .contains("'search'")
                .contains("10.000/s")
                .contains("burst 2")
                .contains("PT0.06S");
    }

    @Test
    void callRunsTheTaskWithAPermitAndThrowsTheRejectionWithout() {
        TokenBucket bucket = bucket(1);
        AtomicInteger runs = new AtomicInteger();

        assertThat(bucket.call(runs::incrementAndGet)).isEqualTo(1);
        assertThatThrownBy(() -> bucket.call(runs::incrementAndGet))
                .isInstanceOf(RateLimitedException.class)
                .hasMessageContaining("search");
        assertThat(runs).hasValue(1);
    }

    @Test
    void setRateKeepsThePermitsOnHandWhenTheBurstGrows() {
        TokenBucket bucket = bucket(5);
        assertThat(bucket.tryAcquire(2)).isTrue(); // 3 on hand

        bucket.setRate(20, 10);

        assertThat(bucket.permitsPerSecond()).isEqualTo(20.0);
        assertThat(bucket.burst()).isEqualTo(10);
        assertThat(bucket.availablePermits()).as("no fresh burst").isEqualTo(3);
        assertThat(drain(bucket)).isEqualTo(3);
        scheduler.advance(Duration.ofMillis(50)); // one interval at the new rate
        assertThat(bucket.availablePermits()).isEqualTo(1);
        scheduler.advance(Duration.ofSeconds(10));
        assertThat(bucket.availablePermits()).as("refills to the new burst").isEqualTo(10);
    }

    @Test
    void setRateCapsThePermitsOnHandAtTheNewBurst() {
        TokenBucket bucket = bucket(10);

        bucket.setRate(10, 4);

        assertThat(bucket.availablePermits()).isEqualTo(4);
        assertThat(drain(bucket)).isEqualTo(4);
    }

    @Test
    void setRateOnAnEmptyBucketGrantsNothingExtra() {
        TokenBucket bucket = bucket(5);
        drain(bucket);

        bucket.setRate(1, 100);

        assertThat(bucket.tryAcquire()).isFalse();
        assertThat(bucket.nanosUntilPermit()).isEqualTo(Duration.ofSeconds(1).toNanos());
        scheduler.advance(Duration.ofSeconds(1));
        assertThat(bucket.tryAcquire()).isTrue();
        assertThat(bucket.tryAcquire()).isFalse();
    }

    @Test
    void setRateRejectsBadValuesAndKeepsTheOldRate() {
        TokenBucket bucket = bucket(5);

        assertThatThrownBy(() -> bucket.setRate(Double.NaN, 5))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("permitsPerSecond").hasMessageContaining("NaN").hasMessageContaining("allowed");
        assertThatThrownBy(() -> bucket.setRate(10, 0))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("burst").hasMessageContaining("0").hasMessageContaining("allowed");

        assertThat(bucket.permitsPerSecond()).isEqualTo(10.0);
        assertThat(bucket.burst()).isEqualTo(5);
        assertThat(bucket.availablePermits()).isEqualTo(5);
    }

    @Test
    void rateAsPermitsPerPeriod() {
        TokenBucket bucket = TokenBucket.builder("per-minute").rate(6, Duration.ofMinutes(1)).burst(1)
                .scheduler(scheduler).build();

        assertThat(bucket.permitsPerSecond()).isEqualTo(0.1);
        assertThat(bucket.tryAcquire()).isTrue();
        scheduler.advance(Duration.ofSeconds(9));
        assertThat(bucket.tryAcquire()).isFalse();
        scheduler.advance(Duration.ofSeconds(1));
        assertThat(bucket.tryAcquire()).isTrue();
    }

    @Test
    void toStringNamesRateBurstAndAvailable() {
        TokenBucket bucket = bucket(5);
        bucket.tryAcquire(2);

        assertThat(bucket.toString()).contains("search").contains("10.000/s").contains("burst 5").contains("available=3");
    }

    /**
     * Over a long virtual run with random advances and random request sizes, the permits granted in
     * ANY interval [t_i, t_j] between two grants never exceed burst + rate × (t_j − t_i), and the
     * bucket does not under-grant either: a request is refused only when the accounting says it must be.
     */
    @ParameterizedTest(name = "{0}/s, burst {1}")
    @CsvSource({"10, 5", "100, 1", "7, 3", "1000, 50", "0.5, 2"})
    void grantedNeverExceedsBurstPlusRateTimesElapsed(double rate, int burst) {
        TokenBucket bucket = TokenBucket.builder("invariant").permitsPerSecond(rate).burst(burst)
                .scheduler(scheduler).build();
        Random random = new Random(7);
        long interval = Math.round(1e9 / rate);
        List<long[]> grants = new ArrayList<>(); // {time, permits}
        long totalGranted = 0;
        long start = scheduler.ticker().read();
        for (int i = 0; i < 4_000; i++) {
            scheduler.advance(random.nextInt(3) == 0 ? 0 : (long) (random.nextDouble() * 2.5 * interval));
            int permits = 1 + random.nextInt(burst);
            if (bucket.tryAcquire(permits)) {
                grants.add(new long[] {scheduler.ticker().read(), permits});
                totalGranted += permits;
            }
        }
        long elapsed = scheduler.ticker().read() - start;

        assertThat((double) totalGranted).isLessThanOrEqualTo(burst + rate * elapsed / 1e9);
        // Not starved: the bucket is kept busy, so it grants close to the full budget.
        assertThat((double) totalGranted).isGreaterThan(0.5 * rate * elapsed / 1e9);

        for (int i = 0; i < grants.size(); i++) {
            long sum = 0;
            for (int j = i; j < grants.size(); j++) {
                sum += grants.get(j)[1];
                long span = grants.get(j)[0] - grants.get(i)[0];
                if (sum > burst + rate * span / 1e9) {
                    throw new AssertionError("granted " + sum + " permits in " + span + " ns between grants " + i
                            + " and " + j + ": more than burst " + burst + " + rate " + rate + " × interval");
                }
            }
        }
    }

    /**
     * Guards the rounding of the permit interval: it is whole nanoseconds rounded up, so even at
     * rates that do not divide 10⁹ (here 3.33 ns and 1.43 ns per permit) the bucket never grants
     * more than burst + rate × time. Rounding to the nearest once granted up to 43 % too many.
     */
    @ParameterizedTest(name = "{0}/s")
    @CsvSource({"3e8", "7e8"})
    void highRatesDoNotGrantMoreThanConfigured(double rate) {
        int burst = 10;
        TokenBucket bucket = TokenBucket.builder("fast").permitsPerSecond(rate).burst(burst).scheduler(scheduler).build();
        long granted = 0;
        long start = scheduler.ticker().read();
        for (int step = 0; step < 1_000_000; step++) { // 1 ms in 1 ns steps
            scheduler.ticker().advance(1);
            while (bucket.tryAcquire()) {
                granted++;
            }
        }
        long elapsed = scheduler.ticker().read() - start;

        assertThat((double) granted).isLessThanOrEqualTo(burst + rate * elapsed / 1e9);
    }

    /**
     * The interval is whole nanoseconds rounded up, so the bucket runs at most 0.1 % under the rate
     * asked up to a million permits per second, and exactly at rates dividing 10⁹. Kept busy for
     * 1 000 intervals' worth of steps, it grants within that band.
     */
    @ParameterizedTest(name = "{0}/s")
    @CsvSource({"999999", "333333.3", "1000000", "12345.678", "7", "0.3"})
    void grantsAtLeastNinetyNinePointNinePercentOfTheRate(double rate) {
        // Steps of about 10 intervals; a burst of 100 holds a step's worth, so nothing is lost to the cap.
        TokenBucket bucket = TokenBucket.builder("rate").permitsPerSecond(rate).burst(100).scheduler(scheduler).build();
        drain(bucket);
        long elapsed = (long) Math.ceil(10_000 * 1e9 / rate); // time for 10 000 permits
        long step = Math.max(1, elapsed / 1_000);
        long granted = 0;
        long start = scheduler.ticker().read();
        while (scheduler.ticker().read() - start < elapsed) {
            scheduler.advance(step);
            granted += drain(bucket);
        }
        double budget = rate * (scheduler.ticker().read() - start) / 1e9;

        assertThat((double) granted).isLessThanOrEqualTo(budget + 1);
        assertThat((double) granted).isGreaterThanOrEqualTo(budget * 0.999 - 1);
    }

    @Test
    void aRateDividingOneBillionIsExact() {
        TokenBucket bucket = TokenBucket.builder("exact").permitsPerSecond(1000).burst(1).scheduler(scheduler).build();
        drain(bucket);
        int granted = 0;
        for (int ms = 0; ms < 60_000; ms++) {
            scheduler.advance(Duration.ofMillis(1));
            granted += drain(bucket);
        }

        assertThat(granted).isEqualTo(60_000);
    }

    @Test
    void anInterruptedWaitHandsItsReservedPermitsBack() {
        TokenBucket bucket = TokenBucket.builder("refund").permitsPerSecond(1).burst(1).scheduler(scheduler).build();
        assertThat(bucket.tryAcquire()).isTrue();
        Thread.currentThread().interrupt();
        try {
            assertThat(bucket.tryAcquire(1, java.time.Duration.ofSeconds(5))).isFalse();
        } finally {
            assertThat(Thread.interrupted()).as("interrupt status kept").isTrue();
        }
        scheduler.advance(java.time.Duration.ofSeconds(1));
        assertThat(bucket.tryAcquire()).as("the abandoned reservation did not use up the next permit").isTrue();
    }

    @Test
    void aCallerPreemptedBetweenItsReadsIsNotRefusedWhilePermitsRemain() {
        FakeTicker clock = new FakeTicker();
        TokenBucket[] bucket = new TokenBucket[1];
        boolean[] preempt = {false};
        // Returns the time as it was when the caller asked, after another caller, 2 ms later,
        // took 10 of the 1 000 permits: what a thread descheduled mid-call would see.
        Scheduler stalling = new Scheduler() {
            @Override
            public Cancellable schedule(Runnable task, long delayNanos) {
                throw new UnsupportedOperationException();
            }

            @Override
            public void sleep(long nanos) {
                throw new UnsupportedOperationException();
            }

            @Override
            public dev.bulwark.time.Ticker ticker() {
                return () -> {
                    long asked = clock.read();
                    if (preempt[0]) {
                        preempt[0] = false;
                        clock.advance(Duration.ofMillis(2));
                        for (int i = 0; i < 10; i++) {
                            assertThat(bucket[0].tryAcquire()).isTrue();
                        }
                    }
                    return asked;
                };
            }
        };
        bucket[0] = TokenBucket.builder("preempted").permitsPerSecond(1_000_000).burst(1_000).scheduler(stalling).build();
        preempt[0] = true;
        assertThat(bucket[0].tryAcquire()).as("990 permits remain").isTrue();
        assertThat(bucket[0].availablePermits()).isEqualTo(989);
    }
}
