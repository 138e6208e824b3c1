package dev.bulwark.balance;

import dev.bulwark.CallContext;
import java.util.random.RandomGenerator;

/**
 * Two random endpoints, the less loaded wins: least requests (load = calls in flight) or peak EWMA
 * (load = latency estimate × (calls in flight + 1)). Two random choices spread load almost as
 * well as scanning every endpoint, at constant cost and without herding onto one.
 */
final class PowerOfTwoChoices implements LoadBalancer {
    private final boolean peakEwma;
    private final RandomGenerator fixed;

    PowerOfTwoChoices(boolean peakEwma, RandomGenerator fixed) {
        this.peakEwma = peakEwma;
        this.fixed = fixed;
    }

    @Override
    public Endpoint pick(EndpointSet<? extends Endpoint> endpoints, CallContext context, Exclusion avoid) {
        int n = endpoints.size();
        if (n == 0) {
            return null;
        }
        if (n == 1) {
            return Picks.firstAvailableFrom(endpoints, 0, avoid);
        }
        RandomGenerator random = Randoms.of(fixed);
        int a = random.nextInt(n);
        int b = random.nextInt(n - 1);
        if (b >= a) {
            b++; // two distinct endpoints
        }
        Endpoint first = endpoints.get(a);
        Endpoint second = endpoints.get(b);
        boolean firstOk = Picks.eligible(first, avoid);
        boolean secondOk = Picks.eligible(second, avoid);
        if (firstOk && secondOk) {
            long now = peakEwma ? first.stats().ticker().read() : 0; // one clock read for both loads
            return load(first, now) <= load(second, now) ? first : second;
        }
        if (firstOk || secondOk) {
            // One of the two cannot take the call: compare the other with a third that can, or an
            // unavailable endpoint would hand its share to whichever endpoint it is drawn with.
            Endpoint ok = firstOk ? first : second;
            Endpoint rival = otherEligible(endpoints, ok, random, avoid);
            if (rival == null) {
                return ok;
            }
            long now = peakEwma ? ok.stats().ticker().read() : 0;
            return load(ok, now) <= load(rival, now) ? ok : rival;
        }
        return Picks.firstAvailableFrom(endpoints, a, avoid);
    }

    /** An eligible endpoint other than {@code not}, each equally likely (one pass, reservoir sampling); {@code null} if none. */
    private static Endpoint otherEligible(EndpointSet<? extends Endpoint> endpoints, Endpoint not, RandomGenerator random,
            Exclusion avoid) {
        Endpoint chosen = null;
        int seen = 0;
        for (int i = 0, n = endpoints.size(); i < n; i++) {
            Endpoint e = endpoints.get(i);
            if (e != not && Picks.eligible(e, avoid) && random.nextInt(++seen) == 0) {
                chosen = e;
            }
        }
        return chosen;
    }

    private double load(Endpoint e, long now) {
        EndpointStats stats = e.stats();
        return peakEwma ? stats.load(now) : stats.inFlight();
    }

    @Override
    public String toString() {
        return peakEwma ? "peak EWMA" : "least requests";
    }
}
