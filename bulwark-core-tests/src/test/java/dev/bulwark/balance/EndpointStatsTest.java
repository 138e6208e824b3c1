package dev.bulwark.balance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.bulwark.InvalidConfigException;
import dev.bulwark.testing.FakeTicker;
import java.time.Duration;
import org.assertj.core.api.Assertions;
import org.junit.jupiter.api.Test;

class EndpointStatsTest {
    private static final double MS = 1e6;
    private static final Duration TAU = Duration.ofSeconds(10);

    private final FakeTicker ticker = new FakeTicker();
    private final EndpointStats stats = new EndpointStats(ticker, TAU);

    private double latencyMillis() {
        return stats.latencyNanos(ticker.read()) / MS;
    }

    private void observe(double millis) {
        stats.observe((long) (millis * MS), ticker.read());
    }

    @Test
    void aNewEndpointHasNoLatencyAndNoLoad() {
        assertThat(stats.latencyNanos(ticker.read())).isZero();
        assertThat(stats.load(ticker.read())).isZero();
        assertThat(stats.inFlight()).isZero();
    }

    @Test
    void aPeakReplacesTheEstimateAtOnce() {
        observe(10);
        ticker.advance(Duration.ofMillis(1));
        observe(100);

        assertThat(latencyMillis()).isCloseTo(100, within(0.001));
    }

    @Test
    void aLowerSampleIsBlendedInByTheTimeSinceTheLast() {
        observe(100);
        ticker.advance(TAU);
        observe(10);

        // 100 × e^−1 + 10 × (1 − e^−1); time is kept to ~1 ms, hence the tolerance.
        double w = Math.exp(-1);
        assertThat(latencyMillis()).isCloseTo(100 * w + 10 * (1 - w), within(0.05));
    }

    @Test
    void aLowerSampleRightAfterAPeakBarelyMovesTheEstimate() {
        observe(100);
        ticker.advance(Duration.ofMillis(10));
        observe(1);

        // e^(−10 ms / 10 s) ≈ 0.999: one fast answer does not erase a recent peak.
        assertThat(latencyMillis()).isBetween(99.8, 100.0);
    }

    @Test
    void theEstimateDecaysTowardZeroWhileNoAnswerArrives() {
        observe(100);
        double previous = latencyMillis();
        for (int second = 1; second <= 60; second++) {
            ticker.advance(Duration.ofSeconds(1));
            double now = latencyMillis();
            assertThat(now).as("after %d s", second).isLessThan(previous);
            previous = now;
        }
        assertThat(previous).isCloseTo(100 * Math.exp(-6), within(0.01)); // ≈ 0.25 ms after 60 s
        ticker.advance(Duration.ofMinutes(10));
        assertThat(latencyMillis()).isLessThan(1e-9);
    }

    @Test
    void decayIsReadWithoutChangingTheStoredEstimate() {
        observe(100);
        ticker.advance(TAU);
        double once = latencyMillis();
        double twice = latencyMillis();

        assertThat(twice).isEqualTo(once);
        assertThat(once).isCloseTo(100 * Math.exp(-1), within(0.05));
    }

    @Test
    void loadIsLatencyTimesCallsInFlightPlusOne() {
        observe(20);
        assertThat(stats.load(ticker.read()) / MS).isCloseTo(20, within(0.001));

        stats.started();
        stats.started();

        assertThat(stats.inFlight()).isEqualTo(2);
        assertThat(stats.load(ticker.read()) / MS).isCloseTo(60, within(0.001));
    }

    @Test
    void callsInFlightOnAnUnmeasuredEndpointCostAPenalty() {
        stats.started();
        assertThat(stats.load(ticker.read())).isEqualTo(EndpointStats.UNMEASURED_PENALTY_NANOS + 1);
        stats.started();
        assertThat(stats.load(ticker.read())).isEqualTo(EndpointStats.UNMEASURED_PENALTY_NANOS + 2);

        ticker.advance(Duration.ofMillis(5));
        stats.finished(5_000_000, true, ticker.read());

        assertThat(stats.load(ticker.read()) / MS).isCloseTo(5 * 2, within(0.001));
    }

    @Test
    void finishedCountsTheOutcomeEndsTheCallAndLearnsItsLatency() {
        stats.started();
        stats.started();
        stats.started();
        ticker.advance(Duration.ofMillis(30));
        stats.finished(30_000_000, true, ticker.read());
        stats.finished(7_000_000, false, ticker.read());
        stats.abandoned();

        assertThat(stats.inFlight()).isZero();
        assertThat(stats.successes()).isEqualTo(1);
        assertThat(stats.failures()).isEqualTo(1);
        assertThat(latencyMillis()).as("the later, lower sample blended in at no elapsed time").isCloseTo(30, within(0.001));
    }

    @Test
    void anAbandonedCallTeachesNothing() {
        stats.started();
        stats.abandoned();

        assertThat(stats.latencyNanos(ticker.read())).isZero();
        assertThat(stats.successes() + stats.failures()).isZero();
    }

    @Test
    void aNegativeDurationCountsAsZero() {
        observe(10);
        stats.started();
        stats.finished(-5, true, ticker.read());

        assertThat(latencyMillis()).isCloseTo(10, within(0.001));
    }

    @Test
    void theDecayMustBePositive() {
        Assertions.assertThatThrownBy(() -> new EndpointStats(ticker, Duration.ZERO))
                .isInstanceOf(InvalidConfigException.class).hasMessageContaining("decay");
    }

    @Test
    void decayTimeScalesTheForgetting() {
        EndpointStats quick = new EndpointStats(ticker, Duration.ofSeconds(1));
        quick.observe(100_000_000, ticker.read());
        observe(100);
        ticker.advance(Duration.ofSeconds(1));

        assertThat(quick.latencyNanos(ticker.read()) / MS).isCloseTo(100 * Math.exp(-1), within(0.05));
        assertThat(latencyMillis()).isCloseTo(100 * Math.exp(-0.1), within(0.05));
    }
}
