package dev.bulwark.balance;

import dev.bulwark.CallContext;
import java.util.ArrayDeque;
import java.util.random.RandomGenerator;

/**
 * At random in proportion to weight, in constant time per pick whatever the number of endpoints:
 * Vose's alias method, a table built once per snapshot.
 */
final class WeightedRandom implements LoadBalancer {
    private final RandomGenerator fixed;
    private final Prepared<Alias> tables = new Prepared<>();

    WeightedRandom(RandomGenerator fixed) {
        this.fixed = fixed;
    }

    /** Column i keeps endpoint i with probability {@code keep[i]}, else gives way to {@code alias[i]}. */
    private record Alias(double[] keep, int[] alias) {
        static Alias of(EndpointSet<?> endpoints) {
            int n = endpoints.size();
            double total = 0;
            for (int i = 0; i < n; i++) {
                total += endpoints.get(i).weight();
            }
            double[] scaled = new double[n];
            ArrayDeque<Integer> small = new ArrayDeque<>();
            ArrayDeque<Integer> large = new ArrayDeque<>();
            for (int i = 0; i < n; i++) {
                scaled[i] = (double) endpoints.get(i).weight() * n / total;
                (scaled[i] < 1 ? small : large).add(i);
            }
            double[] keep = new double[n];
            int[] alias = new int[n];
            while (!small.isEmpty() && !large.isEmpty()) {
                int s = small.poll();
                int l = large.poll();
                keep[s] = scaled[s];
                alias[s] = l;
                scaled[l] = scaled[l] + scaled[s] - 1;
                (scaled[l] < 1 ? small : large).add(l);
            }
            while (!large.isEmpty()) {
                keep[large.poll()] = 1;
            }
            while (!small.isEmpty()) {
                keep[small.poll()] = 1; // rounding leftovers
            }
            return new Alias(keep, alias);
        }
    }

    @Override
    public Endpoint pick(EndpointSet<? extends Endpoint> endpoints, CallContext context, Exclusion avoid) {
        int n = endpoints.size();
        if (n == 0) {
            return null;
        }
        Alias table = tables.of(endpoints, Alias::of);
        RandomGenerator random = Randoms.of(fixed);
        for (int draw = 0; draw < Picks.DRAWS; draw++) {
            int column = random.nextInt(n);
            Endpoint chosen = endpoints.get(random.nextDouble() < table.keep[column] ? column : table.alias[column]);
            if (Picks.eligible(chosen, avoid)) {
                return chosen;
            }
        }
        return Picks.drawAmongEligible(endpoints, avoid, random, true);
    }

    @Override
    public String toString() {
        return "weighted random";
    }
}
