package dev.bulwark.balance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.CallContext;
import java.util.LinkedHashMap;
import java.util.Map;

/** Drives a balancer and tallies what it picked. */
final class Picking {
    private Picking() {
    }

    /** How often each endpoint of {@code set} was picked in {@code picks} picks (every endpoint listed, in order). */
    static Map<String, Integer> counts(LoadBalancer balancer, EndpointSet<TestEndpoint> set, int picks) {
        return counts(balancer, set, picks, CallContext.none(), null);
    }

    static Map<String, Integer> counts(LoadBalancer balancer, EndpointSet<TestEndpoint> set, int picks,
            CallContext context, Endpoint avoid) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (TestEndpoint e : set.asList()) {
            counts.put(e.name(), 0);
        }
        for (int i = 0; i < picks; i++) {
            TestEndpoint picked = (TestEndpoint) balancer.pick(set, context, Exclusion.of(avoid));
            assertThat(picked).as("pick %d", i).isNotNull();
            counts.merge(picked.name(), 1, Integer::sum);
        }
        return counts;
    }

    /** The names of {@code picks} successive picks, concatenated: "aabacaa". */
    static String sequence(LoadBalancer balancer, EndpointSet<TestEndpoint> set, int picks) {
        StringBuilder names = new StringBuilder();
        for (int i = 0; i < picks; i++) {
            names.append(balancer.pick(set, CallContext.none(), Exclusion.NONE).name());
        }
        return names.toString();
    }

    /**
     * Pearson's chi-square statistic of observed counts against expected shares (shares need not
     * sum to 1; they are normalised).
     */
    static double chiSquare(Map<String, Integer> counts, Map<String, Double> shares) {
        double totalShare = shares.values().stream().mapToDouble(Double::doubleValue).sum();
        long total = counts.values().stream().mapToLong(Integer::longValue).sum();
        double chi = 0;
        for (Map.Entry<String, Double> share : shares.entrySet()) {
            double expected = total * share.getValue() / totalShare;
            double diff = counts.getOrDefault(share.getKey(), 0) - expected;
            chi += diff * diff / expected;
        }
        return chi;
    }
}
