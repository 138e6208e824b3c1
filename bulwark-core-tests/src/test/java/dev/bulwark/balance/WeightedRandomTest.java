package dev.bulwark.balance;

import static dev.bulwark.balance.RandomBalancerTest.CHI_0_001;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.testing.FakeTicker;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class WeightedRandomTest {
    private static final int PICKS = 100_000;

    private final FakeTicker ticker = new FakeTicker();
    private final TestEndpoint w1 = new TestEndpoint("w1", 1, ticker);
    private final TestEndpoint w2 = new TestEndpoint("w2", 2, ticker);
    private final TestEndpoint w3 = new TestEndpoint("w3", 3, ticker);
    private final TestEndpoint w4 = new TestEndpoint("w4", 4, ticker);
    private final EndpointSet<TestEndpoint> set = EndpointSet.of(w1, w2, w3, w4);

    private static LoadBalancer seeded(long seed) {
        return LoadBalancers.create(Strategy.WEIGHTED_RANDOM, new SplittableRandom(seed));
    }

    private static Map<String, Double> weights(TestEndpoint... endpoints) {
        Map<String, Double> shares = new LinkedHashMap<>();
        for (TestEndpoint e : endpoints) {
            shares.put(e.name(), (double) e.weight());
        }
        return shares;
    }

    /** Asserts each share is within 4 standard deviations of weight / total. */
    private static void assertShares(Map<String, Integer> counts, Map<String, Double> weights) {
        double total = weights.values().stream().mapToDouble(Double::doubleValue).sum();
        long picks = counts.values().stream().mapToLong(Integer::longValue).sum();
        weights.forEach((name, weight) -> {
            double p = weight / total;
            double sd = Math.sqrt(picks * p * (1 - p));
            assertThat((double) counts.get(name)).as(name).isBetween(picks * p - 4 * sd, picks * p + 4 * sd);
        });
    }

    @Test
    void picksInProportionToWeightWithinStatisticalBounds() {
        Map<String, Integer> counts = Picking.counts(seeded(1), set, PICKS);

        assertThat(Picking.chiSquare(counts, weights(w1, w2, w3, w4))).isLessThan(CHI_0_001[3]);
        assertShares(counts, weights(w1, w2, w3, w4));
    }

    @Test
    void manySkewedWeightsStayInProportion() {
        List<TestEndpoint> ten = TestEndpoint.numbered(10, ticker);
        int[] weights = {1, 100, 7, 7, 30, 1, 2, 50, 3, 9};
        for (int i = 0; i < ten.size(); i++) {
            ten.get(i).weight(weights[i]);
        }

        Map<String, Integer> counts = Picking.counts(seeded(2), EndpointSet.of(ten), PICKS);

        Map<String, Double> expected = weights(ten.toArray(new TestEndpoint[0]));
        assertThat(Picking.chiSquare(counts, expected)).isLessThan(CHI_0_001[9]);
        assertShares(counts, expected);
    }

    @Test
    void hugeWeightsDoNotOverflow() {
        TestEndpoint big = new TestEndpoint("big", 1_000_000_000, ticker);
        TestEndpoint alsoBig = new TestEndpoint("alsoBig", 1_000_000_000, ticker);
        TestEndpoint tiny = new TestEndpoint("tiny", 1, ticker);

        Map<String, Integer> counts = Picking.counts(seeded(3), EndpointSet.of(big, alsoBig, tiny), PICKS);

        assertThat(counts.get("tiny")).isLessThanOrEqualTo(1);
        assertShares(counts, Map.of("big", 1.0, "alsoBig", 1.0));
    }

    @Test
    void anUnavailableEndpointsShareIsSpreadInProportionOverTheRest() {
        w3.available(false);

        Map<String, Integer> counts = Picking.counts(seeded(4), set, PICKS);

        assertThat(counts).containsEntry("w3", 0);
        counts.remove("w3");
        assertThat(Picking.chiSquare(counts, weights(w1, w2, w4))).isLessThan(CHI_0_001[2]);
        assertShares(counts, weights(w1, w2, w4));
    }

    @Test
    void theTableBelongsToTheSnapshotAndIsRebuiltForANewVersion() {
        TestEndpoint a = new TestEndpoint("a", 1, ticker);
        TestEndpoint b = new TestEndpoint("b", 1, ticker);
        EndpointSet<TestEndpoint> before = EndpointSet.of(a, b);
        LoadBalancer balancer = seeded(5);
        assertShares(Picking.counts(balancer, before, 20_000), Map.of("a", 1.0, "b", 1.0));

        a.weight(3); // as a pool re-weights: the endpoint changes, then a new snapshot is swapped in
        assertShares(Picking.counts(balancer, before, 20_000), Map.of("a", 1.0, "b", 1.0));
        EndpointSet<TestEndpoint> after = EndpointSet.of(before.asList());
        assertThat(after.version()).isNotEqualTo(before.version());

        assertShares(Picking.counts(balancer, after, 20_000), Map.of("a", 3.0, "b", 1.0));
    }
}
