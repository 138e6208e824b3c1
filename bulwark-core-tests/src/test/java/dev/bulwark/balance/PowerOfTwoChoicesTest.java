package dev.bulwark.balance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.testing.FakeTicker;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class PowerOfTwoChoicesTest {
    private static final long MS = 1_000_000L;

    private final FakeTicker ticker = new FakeTicker();
    private final List<TestEndpoint> endpoints = TestEndpoint.numbered(5, ticker);
    private final EndpointSet<TestEndpoint> set = EndpointSet.of(endpoints);

    private static void start(TestEndpoint endpoint, int calls) {
        for (int i = 0; i < calls; i++) {
            endpoint.stats().started();
        }
    }

    /** One answered call of {@code latencyMillis}, ending now. */
    private void answered(TestEndpoint endpoint, long latencyMillis) {
        endpoint.stats().started();
        endpoint.stats().finished(latencyMillis * MS, true, ticker.read());
    }

    @Test
    void leastRequestsPicksTheEndpointWithFewerCallsInFlight() {
        TestEndpoint busy = endpoints.get(0);
        TestEndpoint idle = endpoints.get(1);
        start(busy, 3);
        start(idle, 1);
        EndpointSet<TestEndpoint> pair = EndpointSet.of(busy, idle);

        assertThat(Picking.counts(LoadBalancers.create(Strategy.LEAST_REQUESTS, new SplittableRandom(1)), pair, 1_000))
                .containsExactly(Map.entry("e0", 0), Map.entry("e1", 1_000));
    }

    @Test
    void leastRequestsNeverPicksTheBusiestAndFavoursTheIdlest() {
        for (int i = 0; i < endpoints.size(); i++) {
            start(endpoints.get(i), i); // e0 has 0 in flight ... e4 has 4
        }

        Map<String, Integer> counts = Picking.counts(
                LoadBalancers.create(Strategy.LEAST_REQUESTS, new SplittableRandom(2)), set, 100_000);

        // Two distinct random endpoints, the less busy wins: e_i wins when drawn with a busier one,
        // with probability 2 (4 − i) / 20.
        assertThat(counts.get("e4")).isZero();
        assertThat(counts.get("e0")).isBetween(39_000, 41_000);
        assertThat(counts.get("e1")).isBetween(29_000, 31_000);
        assertThat(counts.get("e2")).isBetween(19_000, 21_000);
        assertThat(counts.get("e3")).isBetween(9_000, 11_000);
    }

    @Test
    void leastRequestsIgnoresLatency() {
        TestEndpoint slow = endpoints.get(0);
        TestEndpoint fast = endpoints.get(1);
        answered(slow, 900);
        answered(fast, 1);
        start(fast, 1);

        assertThat(Picking.counts(LoadBalancers.create(Strategy.LEAST_REQUESTS, new SplittableRandom(3)),
                EndpointSet.of(slow, fast), 100)).containsEntry("e0", 100);
    }

    @Test
    void peakEwmaPicksTheLowerLatencyTimesCallsInFlightPlusOne() {
        TestEndpoint fast = endpoints.get(0);
        TestEndpoint slow = endpoints.get(1);
        answered(fast, 10);
        answered(slow, 100);
        EndpointSet<TestEndpoint> pair = EndpointSet.of(fast, slow);
        LoadBalancer balancer = LoadBalancers.create(Strategy.PEAK_EWMA, new SplittableRandom(4));

        assertThat(Picking.counts(balancer, pair, 100)).containsEntry("e0", 100);

        start(fast, 9); // 10 ms × 10 = 100 ms: ties go to the first drawn, so either may win
        Map<String, Integer> tied = Picking.counts(balancer, pair, 1_000);
        assertThat(tied.get("e0")).isBetween(400, 600);

        start(fast, 1); // 10 ms × 11 = 110 ms > 100 ms × 1
        assertThat(Picking.counts(balancer, pair, 100)).containsEntry("e1", 100);
    }

    @Test
    void peakEwmaTriesAnUnmeasuredEndpointOnlyOneCallAtATime() {
        TestEndpoint measured = endpoints.get(0);
        TestEndpoint fresh = endpoints.get(1);
        answered(measured, 500);
        start(measured, 20); // load 500 ms × 21
        EndpointSet<TestEndpoint> pair = EndpointSet.of(measured, fresh);
        LoadBalancer balancer = LoadBalancers.create(Strategy.PEAK_EWMA, new SplittableRandom(5));

        assertThat(balancer.pick(pair, dev.bulwark.CallContext.none(), Exclusion.NONE)).as("unmeasured and idle: load 0").isSameAs(fresh);
        fresh.stats().started();

        assertThat(Picking.counts(balancer, pair, 100)).as("its first call still out").containsEntry("e0", 100);
    }

    @Test
    void peakEwmaComesBackToASlowEndpointOnceItsEstimateHasDecayed() {
        TestEndpoint wasSlow = endpoints.get(0);
        TestEndpoint steady = endpoints.get(1);
        answered(wasSlow, 1_000);
        answered(steady, 50);
        EndpointSet<TestEndpoint> pair = EndpointSet.of(wasSlow, steady);
        LoadBalancer balancer = LoadBalancers.create(Strategy.PEAK_EWMA, new SplittableRandom(6));
        assertThat(Picking.counts(balancer, pair, 100)).containsEntry("e1", 100);

        // steady keeps answering in 50 ms, so its estimate holds while wasSlow's decays.
        for (int second = 0; second < 40; second++) {
            ticker.advance(Duration.ofSeconds(1));
            answered(steady, 50);
        }

        // After 40 s: 1 s × e^−4 ≈ 18 ms, below steady's 50 ms.
        assertThat(Picking.counts(balancer, pair, 100)).containsEntry("e0", 100);
    }

    @Test
    void anUnavailableEndpointDoesNotHandItsShareToTheOneItIsDrawnWith() {
        // e0 and e1 fast, e2 slow, e3 and e4 down (dead, or their breakers open): the slow one must
        // still lose to the fast ones, not win every draw that pairs it with a dead endpoint.
        answered(endpoints.get(0), 5);
        answered(endpoints.get(1), 5);
        answered(endpoints.get(2), 300);
        endpoints.get(3).available(false);
        endpoints.get(4).available(false);

        Map<String, Integer> ewma = Picking.counts(LoadBalancers.create(Strategy.PEAK_EWMA, new SplittableRandom(3)), set, 10_000);
        assertThat(ewma.get("e2")).as("the slow endpoint").isZero();
        assertThat(ewma.get("e3") + ewma.get("e4")).isZero();

        start(endpoints.get(0), 3);
        start(endpoints.get(1), 3);
        Map<String, Integer> least = Picking.counts(LoadBalancers.create(Strategy.LEAST_REQUESTS, new SplittableRandom(4)), set, 10_000);
        // e2 (idle) wins every comparison it is in: drawn with e0 or e1 (2 pairs in 10), with a dead
        // one (2 in 10: its rival is then e0 or e1), and as the rival of e0 or e1 drawn with a dead
        // one (4 in 10, half the time): 60 %, where an unrivalled pick would give it 40 %.
        assertThat(least.get("e2")).as("the idle one").isBetween(5_700, 6_300);
    }
}
