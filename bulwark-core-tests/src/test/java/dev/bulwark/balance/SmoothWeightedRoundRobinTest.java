package dev.bulwark.balance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.CallContext;
import dev.bulwark.testing.FakeTicker;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;
import org.junit.jupiter.api.Test;

class SmoothWeightedRoundRobinTest {
    private final FakeTicker ticker = new FakeTicker();
    private final TestEndpoint a = new TestEndpoint("a", 5, ticker);
    private final TestEndpoint b = new TestEndpoint("b", 1, ticker);
    private final TestEndpoint c = new TestEndpoint("c", 1, ticker);

    @Test
    void followsNginxSmoothSequenceAndRepeatsIt() {
        LoadBalancer balancer = LoadBalancers.weightedRoundRobin();

        assertThat(Picking.sequence(balancer, EndpointSet.of(a, b, c), 21)).isEqualTo("aabacaa".repeat(3));
    }

    @Test
    void equalWeightsAreRoundRobinAndCommonFactorsAreReduced() {
        a.weight(2);
        b.weight(2);
        c.weight(2);
        assertThat(Picking.sequence(LoadBalancers.weightedRoundRobin(), EndpointSet.of(a, b, c), 6)).isEqualTo("abcabc");

        a.weight(3_000_000);
        b.weight(1_000_000);
        // 3 : 1 is a cycle of 4, not of 4 000 000.
        assertThat(Picking.sequence(LoadBalancers.weightedRoundRobin(), EndpointSet.of(a, b), 8)).isEqualTo("aabaaaba");
    }

    @Test
    void everyCycleGivesEachEndpointExactlyItsWeight() {
        List<TestEndpoint> endpoints = TestEndpoint.numbered(6, ticker);
        int[] weights = {3, 2, 1, 10, 7, 1};
        int total = 0;
        for (int i = 0; i < weights.length; i++) {
            endpoints.get(i).weight(weights[i]);
            total += weights[i];
        }
        LoadBalancer balancer = LoadBalancers.weightedRoundRobin();
        EndpointSet<TestEndpoint> set = EndpointSet.of(endpoints);

        for (int cycle = 0; cycle < 3; cycle++) {
            Map<String, Integer> counts = Picking.counts(balancer, set, total);
            for (int i = 0; i < weights.length; i++) {
                assertThat(counts.get("e" + i)).as("e%d in cycle %d", i, cycle).isEqualTo(weights[i]);
            }
        }
    }

    @Test
    void aHeavyEndpointsTurnsAreInterleavedWithTheOthers() {
        a.weight(3);
        b.weight(1);
        c.weight(1);
        assertThat(Picking.sequence(LoadBalancers.weightedRoundRobin(), EndpointSet.of(a, b, c), 10)).isEqualTo("abacaabaca");
    }

    @Test
    void aLargeSetIsLaidOutByEarliestDeadlineWithExactSharesPerCycle() {
        // 10 000 endpoints of weights 1, 2, 3: a cycle of 19 999 × 10 000 endpoints is past nginx's work limit.
        List<TestEndpoint> endpoints = TestEndpoint.numbered(10_000, ticker);
        int total = 0;
        for (int i = 0; i < endpoints.size(); i++) {
            endpoints.get(i).weight(1 + i % 3);
            total += 1 + i % 3;
        }
        assertThat((long) total * endpoints.size()).isGreaterThan(SmoothWeightedRoundRobin.MAX_NGINX_WORK);
        EndpointSet<TestEndpoint> set = EndpointSet.of(endpoints);
        LoadBalancer balancer = LoadBalancers.weightedRoundRobin();

        for (int cycle = 0; cycle < 2; cycle++) {
            Map<String, Integer> counts = Picking.counts(balancer, set, total);
            for (int i = 0; i < endpoints.size(); i++) {
                assertThat(counts.get("e" + i)).as("e%d in cycle %d", i, cycle).isEqualTo(1 + i % 3);
            }
        }
    }

    @Test
    void theEarliestDeadlineLayoutSpreadsTurnsEvenly() {
        List<TestEndpoint> endpoints = TestEndpoint.numbered(10_000, ticker);
        endpoints.get(0).weight(10_000); // half of the cycle of 19 999
        int[] cycle = SmoothWeightedRoundRobin.cycle(EndpointSet.of(endpoints));

        assertThat(cycle).hasSize(19_999);
        int last = -1;
        int longestGap = 0;
        for (int k = 0; k < cycle.length; k++) {
            if (cycle[k] == 0) {
                longestGap = Math.max(longestGap, k - last);
                last = k;
            }
        }
        assertThat(longestGap).as("turns of the heavy endpoint are at most 2 apart").isLessThanOrEqualTo(2);
    }

    @Test
    void anUnavailableEndpointsTurnsAreSharedByTheRestInProportion() {
        LoadBalancer balancer = LoadBalancers.weightedRoundRobin();
        EndpointSet<TestEndpoint> set = EndpointSet.of(a, b, c);
        a.available(false);

        assertThat(Picking.counts(balancer, set, 1_000)).containsExactly(
                Map.entry("a", 0), Map.entry("b", 500), Map.entry("c", 500));

        a.available(true);
        c.available(false);
        Map<String, Integer> counts = Picking.counts(balancer, set, 6_000);
        assertThat(counts.get("c")).isZero();
        assertThat(counts.get("a")).isBetween(4_999, 5_001);
    }

    @Test
    void aNewSnapshotRebuildsTheCycle() {
        LoadBalancer balancer = LoadBalancers.weightedRoundRobin();
        a.weight(1);
        EndpointSet<TestEndpoint> before = EndpointSet.of(a, b);
        assertThat(Picking.sequence(balancer, before, 4)).isEqualTo("abab");

        a.weight(3);
        assertThat(Picking.sequence(balancer, before, 4)).as("same snapshot, same cycle").isEqualTo("abab");
        EndpointSet<TestEndpoint> after = EndpointSet.of(before.asList());

        assertThat(Picking.counts(balancer, after, 400)).containsExactly(Map.entry("a", 300), Map.entry("b", 100));
    }

    @Test
    void concurrentPickersKeepExactSharesOverWholeCycles() throws Exception {
        int threads = 4;
        int picksEach = 70_000; // 280 000 picks = 40 000 cycles of 7
        EndpointSet<TestEndpoint> set = EndpointSet.of(a, b, c);
        LoadBalancer balancer = LoadBalancers.weightedRoundRobin();
        AtomicLongArray counts = new AtomicLongArray(3);
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < picksEach; i++) {
                        counts.incrementAndGet(set.asList().indexOf(balancer.pick(set, CallContext.none(), Exclusion.NONE)));
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get(1, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(counts.get(0)).isEqualTo(200_000);
        assertThat(counts.get(1)).isEqualTo(40_000);
        assertThat(counts.get(2)).isEqualTo(40_000);
    }
}
