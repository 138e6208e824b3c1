package dev.bulwark.balance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.CallContext;
import dev.bulwark.testing.FakeTicker;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

class RoundRobinTest {
    private final FakeTicker ticker = new FakeTicker();
    private final List<TestEndpoint> endpoints = TestEndpoint.numbered(4, ticker);
    private final EndpointSet<TestEndpoint> set = EndpointSet.of(endpoints);

    @Test
    void takesEachEndpointInTurn() {
        assertThat(Picking.sequence(LoadBalancers.roundRobin(), set, 9)).isEqualTo("e0e1e2e3e0e1e2e3e0");
    }

    @Test
    void anUnavailableEndpointsTurnsAreSharedEvenlyNotHandedToItsNeighbour() {
        LoadBalancer balancer = LoadBalancers.roundRobin();
        endpoints.get(1).available(false);

        assertThat(Picking.sequence(balancer, set, 6)).isEqualTo("e0e2e3e0e2e3");
        assertThat(Picking.counts(balancer, set, 3_000)).containsExactly(
                Map.entry("e0", 1_000), Map.entry("e1", 0), Map.entry("e2", 1_000), Map.entry("e3", 1_000));
    }

    @Test
    void anEndpointComingBackRejoinsTheRotation() {
        LoadBalancer balancer = LoadBalancers.roundRobin();
        endpoints.get(3).available(false);
        Picking.counts(balancer, set, 7);
        endpoints.get(3).available(true);

        assertThat(Picking.counts(balancer, set, 400)).containsOnly(
                Map.entry("e0", 100), Map.entry("e1", 100), Map.entry("e2", 100), Map.entry("e3", 100));
    }

    @Test
    void concurrentPickersShareOneRotationExactly() throws Exception {
        int threads = 8;
        int picksEach = 100_000;
        List<TestEndpoint> ten = TestEndpoint.numbered(10, ticker);
        EndpointSet<TestEndpoint> tenSet = EndpointSet.of(ten);
        LoadBalancer balancer = LoadBalancers.roundRobin();
        Map<String, LongAdder> counts = new ConcurrentHashMap<>();
        ten.forEach(e -> counts.put(e.name(), new LongAdder()));
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    start.await();
                    int[] mine = new int[ten.size()];
                    for (int i = 0; i < picksEach; i++) {
                        mine[Integer.parseInt(balancer.pick(tenSet, CallContext.none(), Exclusion.NONE).name().substring(1))]++;
                    }
                    for (int i = 0; i < mine.length; i++) {
                        counts.get("e" + i).add(mine[i]);
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
        // Every pick takes one value of the shared counter, so 800 000 picks are 80 000 full turns.
        for (LongAdder count : counts.values()) {
            assertThat(count.sum()).isEqualTo((long) threads * picksEach / ten.size());
        }
    }
}
