package dev.bulwark.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.InvalidConfigException;
import dev.bulwark.testing.VirtualScheduler;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Reservations are debts: a rate change keeps them, and a cancelled wait gives back only what nobody relies on. */
class TokenBucketDebtTest {
    private static final long MS = 1_000_000L;
    private static final long S = 1_000 * MS;

    private final VirtualScheduler scheduler = new VirtualScheduler();

    @Test
    void setRateKeepsTheDebtOfOutstandingReservations() {
        TokenBucket bucket = TokenBucket.builder("b").permitsPerSecond(1).burst(1).scheduler(scheduler).build();
        assertThat(bucket.tryAcquire()).isTrue();
        for (int i = 1; i <= 10; i++) {
            assertThat(bucket.reserve(1, Long.MAX_VALUE)).as("reservation %d acts at +%d s", i, i).isEqualTo(i * S);
        }

        bucket.setRate(1, 1);

        assertThat(bucket.reserve(1, Long.MAX_VALUE)).as("the next permit acts after the ten reserved").isEqualTo(11 * S);
        assertThat(bucket.availablePermits()).isZero();
    }

    @Test
    void aFasterRateStartsCountingAfterTheLastReservation() {
        TokenBucket bucket = TokenBucket.builder("b").permitsPerSecond(1).burst(1).scheduler(scheduler).build();
        bucket.tryAcquire();
        bucket.reserve(1, Long.MAX_VALUE); // acts at +1 s
        bucket.reserve(1, Long.MAX_VALUE); // acts at +2 s

        bucket.setRate(10, 1); // one every 100 ms from the last reservation on

        assertThat(bucket.reserve(1, Long.MAX_VALUE)).isEqualTo(2 * S + 100 * MS);
    }

    @Test
    void aSlowerRateWithoutDebtKeepsThePermitsOnHand() {
        TokenBucket bucket = TokenBucket.builder("b").permitsPerSecond(10).burst(5).scheduler(scheduler).build();
        bucket.tryAcquire(2); // 3 on hand
        bucket.setRate(1, 5);
        assertThat(bucket.availablePermits()).isEqualTo(3);
        bucket.setRate(1, 2);
        assertThat(bucket.availablePermits()).as("capped at the new burst").isEqualTo(2);
    }

    @Test
    void anInterruptedWaiterForfeitsPermitsALaterReservationReliesOn() {
        TokenBucket bucket = TokenBucket.builder("b").permitsPerSecond(10).burst(2).scheduler(scheduler).build();
        long t0 = scheduler.ticker().read();
        assertThat(bucket.tryAcquire(2)).isTrue();
        long[] reservedB = new long[1];
        // While A waits for 2 permits (due at +200 ms): B reserves 1 at +50 ms, A is interrupted at +100 ms.
        scheduler.schedule(() -> reservedB[0] = bucket.reserve(1, Long.MAX_VALUE), 50 * MS);
        scheduler.schedule(() -> Thread.currentThread().interrupt(), 100 * MS);

        boolean a = bucket.tryAcquire(2, Duration.ofSeconds(1));

        assertThat(a).isFalse();
        assertThat(Thread.interrupted()).as("interrupt status kept").isTrue();
        long bActsAt = t0 + 50 * MS + reservedB[0];
        assertThat(bActsAt).isEqualTo(t0 + 300 * MS);
        long now = scheduler.ticker().read();
        long nextActsAt = now + bucket.reserve(2, Long.MAX_VALUE);
        assertThat(nextActsAt - bActsAt).as("two more permits act at least one interval after B: never three at once")
                .isGreaterThanOrEqualTo(100 * MS);
    }

    @Test
    void anInterruptedWaiterWithNobodyAfterItGivesBackItsPermits() {
        TokenBucket bucket = TokenBucket.builder("b").permitsPerSecond(10).burst(2).scheduler(scheduler).build();
        bucket.tryAcquire(2);
        scheduler.schedule(() -> Thread.currentThread().interrupt(), 100 * MS);

        assertThat(bucket.tryAcquire(2, Duration.ofSeconds(1))).isFalse();
        Thread.interrupted();

        assertThat(bucket.nanosUntilPermit()).as("as if A had never reserved: one permit earned by +100 ms").isZero();
        assertThat(bucket.availablePermits()).isEqualTo(1);
    }

    @Test
    void anInterruptedWaiterForfeitsAfterARateChange() {
        TokenBucket bucket = TokenBucket.builder("b").permitsPerSecond(10).burst(2).scheduler(scheduler).build();
        bucket.tryAcquire(2);
        scheduler.schedule(() -> bucket.setRate(100, 2), 50 * MS);
        scheduler.schedule(() -> Thread.currentThread().interrupt(), 100 * MS);

        assertThat(bucket.tryAcquire(2, Duration.ofSeconds(1))).isFalse();
        Thread.interrupted();

        // A's 2 permits (due at +200 ms at the old rate) stay spent: the bucket is empty until then,
        // then refills at the new rate.
        assertThat(bucket.availablePermits()).isZero();
        scheduler.advance(Duration.ofMillis(100));
        assertThat(bucket.availablePermits()).isZero();
        scheduler.advance(Duration.ofMillis(10));
        assertThat(bucket.availablePermits()).isEqualTo(1);
    }

    @Test
    void aTinyRateIsRefusedByNameWithTheSlowestAllowed() {
        TokenBucket.Builder builder = TokenBucket.builder("b").permitsPerSecond(1e-10);
        InvalidConfigException e = org.junit.jupiter.api.Assertions.assertThrows(InvalidConfigException.class, builder::build);
        assertThat(e.field()).isEqualTo("permitsPerSecond");
        assertThat(e.getMessage()).startsWith("permitsPerSecond = 1.0E-10: allowed is a rate in [")
                .contains("1e9] permits per second");
        assertThat(e.getMessage()).doesNotContain("at most 0");
    }

    @Test
    void aBurstTooLargeForTheRateNamesBothFields() {
        TokenBucket.Builder builder = TokenBucket.builder("b").permitsPerSecond(1e-8).burst(1_000_000);
        InvalidConfigException e = org.junit.jupiter.api.Assertions.assertThrows(InvalidConfigException.class, builder::build);
        assertThat(e.field()).isEqualTo("burst");
        assertThat(e.getMessage()).contains("at permitsPerSecond = 1.0E-8");
    }

    @Test
    void setRateValidatesTheCombinationBeforeChangingAnything() {
        TokenBucket bucket = TokenBucket.builder("b").permitsPerSecond(10).burst(5).scheduler(scheduler).build();
        org.junit.jupiter.api.Assertions.assertThrows(InvalidConfigException.class, () -> bucket.setRate(1e-8, 1_000_000));
        assertThat(bucket.permitsPerSecond()).isEqualTo(10);
        assertThat(bucket.availablePermits()).isEqualTo(5);
    }
}
