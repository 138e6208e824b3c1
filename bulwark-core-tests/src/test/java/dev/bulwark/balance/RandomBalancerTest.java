package dev.bulwark.balance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.testing.FakeTicker;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RandomBalancerTest {
    /** Chi-square critical values at p = 0.001, by degrees of freedom. */
    static final double[] CHI_0_001 = {0, 10.83, 13.82, 16.27, 18.47, 20.52, 22.46, 24.32, 26.12, 27.88};

    private final FakeTicker ticker = new FakeTicker();
    private final List<TestEndpoint> endpoints = TestEndpoint.numbered(5, ticker);
    private final EndpointSet<TestEndpoint> set = EndpointSet.of(endpoints);

    private static Map<String, Double> equalShares(String... names) {
        Map<String, Double> shares = new java.util.LinkedHashMap<>();
        for (String name : names) {
            shares.put(name, 1.0);
        }
        return shares;
    }

    @Test
    void picksUniformlyWithinStatisticalBounds() {
        LoadBalancer balancer = LoadBalancers.create(Strategy.RANDOM, new SplittableRandom(11));

        Map<String, Integer> counts = Picking.counts(balancer, set, 100_000);

        assertThat(Picking.chiSquare(counts, equalShares("e0", "e1", "e2", "e3", "e4"))).isLessThan(CHI_0_001[4]);
        // 20 000 each, standard deviation sqrt(100 000 × 0.2 × 0.8) ≈ 126: within 4 of them.
        assertThat(counts.values()).allSatisfy(c -> assertThat(c).isBetween(19_494, 20_506));
    }

    @Test
    void staysUniformAmongTheAvailableWhenOneIsDown() {
        LoadBalancer balancer = LoadBalancers.create(Strategy.RANDOM, new SplittableRandom(12));
        endpoints.get(1).available(false);

        Map<String, Integer> counts = Picking.counts(balancer, set, 100_000);

        assertThat(counts).containsEntry("e1", 0);
        counts.remove("e1");
        // The down endpoint's share is spread over all the others, not handed to its neighbour e2.
        assertThat(Picking.chiSquare(counts, equalShares("e0", "e2", "e3", "e4"))).isLessThan(CHI_0_001[3]);
    }

    @Test
    void staysUniformWhenMostAreDown() {
        List<TestEndpoint> many = TestEndpoint.numbered(100, ticker);
        many.forEach(e -> e.available(false));
        many.get(10).available(true);
        many.get(11).available(true);
        many.get(90).available(true);
        LoadBalancer balancer = LoadBalancers.create(Strategy.RANDOM, new SplittableRandom(13));

        Map<String, Integer> counts = Picking.counts(balancer, EndpointSet.of(many), 30_000);

        assertThat(counts.entrySet()).filteredOn(e -> e.getValue() > 0).hasSize(3);
        assertThat(Picking.chiSquare(Map.of("e10", counts.get("e10"), "e11", counts.get("e11"), "e90", counts.get("e90")),
                equalShares("e10", "e11", "e90"))).isLessThan(CHI_0_001[2]);
    }

    @Test
    void theSameSeedGivesTheSamePicks() {
        String first = Picking.sequence(LoadBalancers.create(Strategy.RANDOM, new SplittableRandom(5)), set, 50);
        String second = Picking.sequence(LoadBalancers.create(Strategy.RANDOM, new SplittableRandom(5)), set, 50);
        String other = Picking.sequence(LoadBalancers.create(Strategy.RANDOM, new SplittableRandom(6)), set, 50);

        assertThat(second).isEqualTo(first);
        assertThat(other).isNotEqualTo(first);
    }
}
