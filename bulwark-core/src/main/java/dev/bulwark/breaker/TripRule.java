package dev.bulwark.breaker;

import dev.bulwark.internal.Check;
import java.util.Locale;

/**
 * A custom rule for tripping a closed breaker: a predicate over its {@linkplain BreakerCounts
 * counts}, as gobreaker's {@code ReadyToTrip}. Set it with
 * {@link CircuitBreakerConfig.Settings#tripWhen(TripRule)}; it is judged beside the built-in
 * rules, after every failure, slow call or timeout, and after a success while the window holds
 * any of those. Keep it cheap and side-effect free: it runs on the calling thread.
 *
 * <pre>{@code
 * CircuitBreaker breaker = CircuitBreaker.builder("payments")
 *     .countWindow(50)
 *     .tripWhen(TripRule.of("5xx burst", c -> c.consecutiveFailures() >= 3 && c.failureRate() >= 20))
 *     .build();
 * }</pre>
 *
 * The built-in rules are expressible as trip rules ({@link #consecutiveFailures(int)},
 * {@link #failureRate(double, int)}, ...) and rules compose with {@link #or} and {@link #and}.
 * The built-in setters on the config remain the fastest way to use them.
 */
@FunctionalInterface
public interface TripRule {

    /** Whether the breaker should trip on these counts. */
    boolean shouldTrip(BreakerCounts counts);

    /** A rule named {@code name}, so that the breaker's reason for tripping says which fired. */
    static TripRule of(String name, TripRule rule) {
        Check.name("name", name);
        Check.notNull("rule", rule);
        return new NamedTripRule(name, rule);
    }

    /** Trips after {@code n} failures in a row. */
    static TripRule consecutiveFailures(int n) {
        Check.positive("consecutiveFailures", n);
        return of(n + " consecutive failures", c -> c.consecutiveFailures() >= n);
    }

    /** Trips when at least {@code percent} % of the window's calls failed, once it holds {@code minimumCalls}. */
    static TripRule failureRate(double percent, int minimumCalls) {
        Check.inRange("failureRate", percent, 0, 100);
        Check.positive("minimumCalls", minimumCalls);
        return of(String.format(Locale.ROOT, "failure rate >= %.1f%% over >= %d calls", percent, minimumCalls),
                c -> c.calls() >= minimumCalls && c.failureRate() >= percent);
    }

    /**
     * Trips when at least {@code percent} % of the window's calls were slow, once it holds
     * {@code minimumCalls}; the slow-call duration is the config's
     * {@link CircuitBreakerConfig.Settings#slowCallDuration(java.time.Duration)}.
     */
    static TripRule slowCallRate(double percent, int minimumCalls) {
        Check.inRange("slowCallRate", percent, 0, 100);
        Check.positive("minimumCalls", minimumCalls);
        return of(String.format(Locale.ROOT, "slow-call rate >= %.1f%% over >= %d calls", percent, minimumCalls),
                c -> c.calls() >= minimumCalls && c.slowCallRate() >= percent);
    }

    /** Trips when at least {@code percent} % of the window's calls timed out, once it holds {@code minimumCalls}. */
    static TripRule timeoutRate(double percent, int minimumCalls) {
        Check.inRange("timeoutRate", percent, 0, 100);
        Check.positive("minimumCalls", minimumCalls);
        return of(String.format(Locale.ROOT, "timeout rate >= %.1f%% over >= %d calls", percent, minimumCalls),
                c -> c.calls() >= minimumCalls && c.timeoutRate() >= percent);
    }

    /** Trips when this rule or {@code other} would. */
    default TripRule or(TripRule other) {
        Check.notNull("other", other);
        TripRule self = this;
        return of("(" + this + ") or (" + other + ")", c -> self.shouldTrip(c) || other.shouldTrip(c));
    }

    /** Trips when this rule and {@code other} both would. */
    default TripRule and(TripRule other) {
        Check.notNull("other", other);
        TripRule self = this;
        return of("(" + this + ") and (" + other + ")", c -> self.shouldTrip(c) && other.shouldTrip(c));
    }
}
