package dev.bulwark.balance;

import dev.bulwark.CallContext;
import java.util.concurrent.atomic.AtomicLong;

/**
 * nginx's smooth weighted round robin: over a cycle of (sum of weights) picks, each endpoint gets
 * its weight's share, spread out rather than in runs ({5, 1, 1} gives a a b a c a a). The cycle is
 * computed once per snapshot with nginx's algorithm; a pick is one shared counter increment and an
 * array read, lock-free. Weights are reduced by their greatest common divisor first; cycles longer
 * than {@value #MAX_CYCLE} are scaled down proportionally. nginx's algorithm costs (cycle length ×
 * endpoints) to lay out; past {@value #MAX_NGINX_WORK} steps (thousands of endpoints) the cycle is
 * laid out by earliest deadline first instead, in (cycle × log endpoints): the same shares, spread
 * as evenly, though ties may fall in another order.
 */
final class SmoothWeightedRoundRobin implements LoadBalancer {
    static final int MAX_CYCLE = 1 << 20;
    static final long MAX_NGINX_WORK = 50_000_000L;

    private final AtomicLong next = new AtomicLong();
    private final Prepared<int[]> cycles = new Prepared<>();

    static int[] cycle(EndpointSet<?> endpoints) {
        int n = endpoints.size();
        long[] weights = new long[n];
        long gcd = 0;
        long total = 0;
        for (int i = 0; i < n; i++) {
            weights[i] = endpoints.get(i).weight();
            gcd = gcd(gcd, weights[i]);
        }
        for (int i = 0; i < n; i++) {
            weights[i] /= gcd;
            total += weights[i];
        }
        if (total > MAX_CYCLE) {
            double scale = (double) MAX_CYCLE / total;
            total = 0;
            for (int i = 0; i < n; i++) {
                weights[i] = Math.max(1, Math.round(weights[i] * scale));
                total += weights[i];
            }
        }
        int[] order = new int[(int) total];
        if (total * n > MAX_NGINX_WORK) {
            return earliestDeadlineFirst(weights, order);
        }
        long[] current = new long[n];
        for (int k = 0; k < order.length; k++) {
            int best = 0;
            for (int i = 0; i < n; i++) {
                current[i] += weights[i];
                if (current[i] > current[best]) {
                    best = i;
                }
            }
            current[best] -= total;
            order[k] = best;
        }
        return order;
    }

    // Endpoint i's k-th turn is due at (k + phase_i) / weight, turns taken in order of due time.
    // Phases differ per endpoint so that endpoints of one weight are not all due at once.
    private static int[] earliestDeadlineFirst(long[] weights, int[] order) {
        int n = weights.length;
        java.util.PriorityQueue<double[]> due = new java.util.PriorityQueue<>(
                (x, y) -> x[0] != y[0] ? Double.compare(x[0], y[0]) : Double.compare(x[1], y[1]));
        int[] taken = new int[weights.length];
        for (int i = 0; i < weights.length; i++) {
            due.add(new double[] {phase(i, n) / weights[i], i});
        }
        for (int k = 0; k < order.length; k++) {
            double[] next = due.poll();
            int i = (int) next[1];
            order[k] = i;
            taken[i]++;
            due.add(new double[] {(taken[i] + phase(i, n)) / weights[i], i});
        }
        return order;
    }

    private static double phase(int i, int n) {
        return (i + 0.5) / n;
    }

    private static long gcd(long a, long b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    @Override
    public Endpoint pick(EndpointSet<? extends Endpoint> endpoints, CallContext context, Exclusion avoid) {
        int n = endpoints.size();
        if (n == 0) {
            return null;
        }
        int[] order = cycles.of(endpoints, SmoothWeightedRoundRobin::cycle);
        // An unavailable endpoint's turn passes to the counter's next turn, so shares among the rest hold.
        for (int k = 0; k < order.length; k++) {
            Endpoint e = endpoints.get(order[(int) Math.floorMod(next.getAndIncrement(), (long) order.length)]);
            if (Picks.eligible(e, avoid)) {
                return e;
            }
        }
        return Picks.firstAvailableFrom(endpoints, 0, avoid);
    }

    @Override
    public String toString() {
        return "smooth weighted round robin";
    }
}
