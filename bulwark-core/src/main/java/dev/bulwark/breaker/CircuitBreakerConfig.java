package dev.bulwark.breaker;

import dev.bulwark.FailureClassifier;
import dev.bulwark.InvalidConfigException;
import dev.bulwark.internal.Check;
import java.time.Duration;

/**
 * The immutable rules of a {@link CircuitBreaker}: when it trips, how long it stays open, how it
 * probes. Any combination of trip rules may be set; the first that fires trips the breaker:
 * <ul>
 *   <li>{@linkplain Settings#consecutiveFailures(int) N consecutive failures};</li>
 *   <li>{@linkplain Settings#failureRate(double) failure rate} ≥ X % over a
 *       {@linkplain Settings#countWindow(int) count window} or a
 *       {@linkplain Settings#timeWindow(Duration, int) time window}, once the window holds
 *       {@linkplain Settings#minimumCalls(int) a minimum number of calls};</li>
 *   <li>{@linkplain Settings#slowCallRate(double, Duration) slow-call rate} ≥ X % over the same window;</li>
 *   <li>{@linkplain Settings#timeoutRate(double) timeout rate} ≥ X % over the same window;</li>
 *   <li>a {@linkplain Settings#tripWhen(TripRule) custom rule} over the breaker's counts.</li>
 * </ul>
 * A rate rule on a count window is judged once the window holds {@code minimumCalls} calls; left
 * unset, that minimum is 10, or the window's size if smaller, so that every rule can fire.
 * Combinations that could never trip are refused at {@code build()}, naming both fields.
 * {@linkplain Settings#metricsOnly(boolean) Metrics-only} mode runs the rules and announces every
 * transition but never rejects a call, to try a rule on production traffic.
 *
 * <p>A config is applied to a live breaker with {@link CircuitBreaker#reconfigure(CircuitBreakerConfig)};
 * the breaker keeps its state.
 */
public final class CircuitBreakerConfig {
    private static final CircuitBreakerConfig DEFAULTS = builder().consecutiveFailures(5).build();
    private static final int DEFAULT_MINIMUM_CALLS = 10;

    private final int consecutiveFailures;
    private final double failureRate;
    private final double slowCallRate;
    private final double timeoutRate;
    private final TripRule tripRule;
    private final boolean metricsOnly;
    private final long slowCallNanos;
    private final int windowSize;
    private final long windowNanos;
    private final int windowBuckets;
    private final int minimumCalls;
    /** Whether minimumCalls was set rather than derived, so that a derived config derives it again. */
    private final boolean minimumCallsSet;
    private final long openNanos;
    private final double openBackoffMultiplier;
    private final long maxOpenNanos;
    private final double openJitter;
    private final int halfOpenProbes;
    private final int halfOpenSuccesses;
    private final long probeTimeoutNanos;
    private final FailureClassifier classifier;

    CircuitBreakerConfig(Settings<?> s) {
        boolean rateRule = s.failureRate > 0 || s.slowCallRate > 0 || s.timeoutRate > 0;
        if (s.consecutiveFailures == 0 && !rateRule && s.tripRule == null) {
            throw new InvalidConfigException("trip rules", "none",
                    "at least one of consecutiveFailures, failureRate, slowCallRate, timeoutRate, tripWhen");
        }
        if (s.maxOpen != null && s.maxOpen.compareTo(s.openFor) < 0) {
            throw new InvalidConfigException("openBackoff.max", s.maxOpen, "a duration >= openFor (" + s.openFor + ")");
        }
        int minimum = s.minimumCalls;
        if (s.windowBuckets == 0) {
            if (minimum == 0) {
                minimum = Math.min(DEFAULT_MINIMUM_CALLS, s.windowSize); // unset: one every rule can reach
            } else if (rateRule && minimum > s.windowSize) {
                throw new InvalidConfigException("minimumCalls", minimum, "at most countWindow = " + s.windowSize
                        + " (a window of " + s.windowSize + " calls never holds " + minimum
                        + ", so the rate rules could never trip)");
            }
        } else if (minimum == 0) {
            minimum = DEFAULT_MINIMUM_CALLS;
        }
        this.consecutiveFailures = s.consecutiveFailures;
        this.failureRate = s.failureRate;
        this.slowCallRate = s.slowCallRate;
        this.timeoutRate = s.timeoutRate;
        this.tripRule = s.tripRule;
        this.metricsOnly = s.metricsOnly;
        this.slowCallNanos = s.slowCallNanos;
        this.windowSize = s.windowSize;
        this.windowNanos = s.windowNanos;
        this.windowBuckets = s.windowBuckets;
        this.minimumCalls = minimum;
        this.minimumCallsSet = s.minimumCalls != 0;
        this.openNanos = Check.nanos(s.openFor);
        this.openBackoffMultiplier = s.openBackoffMultiplier;
        this.maxOpenNanos = s.maxOpen == null ? openNanos : Check.nanos(s.maxOpen);
        this.openJitter = s.openJitter;
        this.halfOpenProbes = s.halfOpenProbes;
        this.halfOpenSuccesses = s.halfOpenSuccesses;
        this.probeTimeoutNanos = Check.nanos(s.probeTimeout);
        this.classifier = s.classifier;
    }

    /** Five consecutive failures trip it; open for 30 s; one probe closes it again. */
    public static CircuitBreakerConfig defaults() {
        return DEFAULTS;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this config's values, to derive a changed config. */
    public Builder toBuilder() {
        return new Builder().from(this);
    }

    /** Consecutive failures that trip the breaker; 0 when the rule is off. */
    public int consecutiveFailures() {
        return consecutiveFailures;
    }

    /** Failure-rate threshold in percent; 0 when the rule is off. */
    public double failureRate() {
        return failureRate;
    }

    /** Slow-call-rate threshold in percent; 0 when the rule is off. */
    public double slowCallRate() {
        return slowCallRate;
    }

    /** Timeout-rate threshold in percent; 0 when the rule is off. */
    public double timeoutRate() {
        return timeoutRate;
    }

    /** The custom trip rule, or {@code null}. */
    public TripRule tripRule() {
        return tripRule;
    }

    /** Whether the breaker only records and announces, never rejecting a call. */
    public boolean metricsOnly() {
        return metricsOnly;
    }

    /** Calls lasting at least this long are slow; {@link Long#MAX_VALUE} when no duration is set. */
    public long slowCallNanos() {
        return slowCallNanos;
    }

    /** Whether any rule reads the window: a rate rule or a custom rule. */
    boolean usesWindow() {
        return failureRate > 0 || slowCallRate > 0 || timeoutRate > 0 || tripRule != null;
    }

    /** Calls in the count window; meaningful when {@link #windowBuckets()} is 0. */
    public int windowSize() {
        return windowSize;
    }

    /** Length of the time window; meaningful when {@link #windowBuckets()} is positive. */
    public long windowNanos() {
        return windowNanos;
    }

    /** Buckets of the time window, or 0 for a count window. */
    public int windowBuckets() {
        return windowBuckets;
    }

    public int minimumCalls() {
        return minimumCalls;
    }

    public long openNanos() {
        return openNanos;
    }

    public double openBackoffMultiplier() {
        return openBackoffMultiplier;
    }

    public long maxOpenNanos() {
        return maxOpenNanos;
    }

    public double openJitter() {
        return openJitter;
    }

    public int halfOpenProbes() {
        return halfOpenProbes;
    }

    public int halfOpenSuccesses() {
        return halfOpenSuccesses;
    }

    public long probeTimeoutNanos() {
        return probeTimeoutNanos;
    }

    public FailureClassifier classifier() {
        return classifier;
    }

    /**
     * How long the breaker stays open after its {@code trip}-th consecutive trip (1 for the first):
     * {@code openFor × multiplier^(trip-1)}, capped at the maximum, then shortened by a random
     * fraction of at most {@link #openJitter()} so that many clients do not probe at once.
     *
     * @param random a number in [0, 1)
     */
    long openDurationNanos(int trip, double random) {
        double base = openNanos * Math.pow(openBackoffMultiplier, Math.max(0, trip - 1));
        double capped = Math.min(base, (double) maxOpenNanos);
        return (long) (capped * (1.0 - openJitter * random));
    }

    @Override
    public String toString() {
        return "CircuitBreakerConfig{consecutiveFailures=" + consecutiveFailures + ", failureRate=" + failureRate
                + ", slowCallRate=" + slowCallRate + ", slowCall="
                + (slowCallNanos == Long.MAX_VALUE ? "none" : Duration.ofNanos(slowCallNanos))
                + ", timeoutRate=" + timeoutRate + (tripRule == null ? "" : ", tripWhen=" + tripRule)
                + (metricsOnly ? ", metricsOnly" : "")
                + (windowBuckets == 0 ? ", countWindow=" + windowSize
                        : ", timeWindow=" + Duration.ofNanos(windowNanos) + "/" + windowBuckets)
                + ", minimumCalls=" + minimumCalls + ", openFor=" + Duration.ofNanos(openNanos)
                + ", backoff=" + openBackoffMultiplier + ", maxOpen=" + Duration.ofNanos(maxOpenNanos)
                + ", jitter=" + openJitter + ", halfOpenProbes=" + halfOpenProbes
                + ", halfOpenSuccesses=" + halfOpenSuccesses + ", probeTimeout=" + Duration.ofNanos(probeTimeoutNanos) + '}';
    }

    /** Builds a {@link CircuitBreakerConfig}. */
    public static final class Builder extends Settings<Builder> {
        Builder() {
        }

        /** Validates and returns the config. */
        public CircuitBreakerConfig build() {
            return new CircuitBreakerConfig(this);
        }
    }

    /**
     * The settings shared by {@link CircuitBreakerConfig.Builder} and {@link CircuitBreaker.Builder}.
     * Each setter validates at once and names the field, the value and what is allowed.
     */
    public abstract static class Settings<B extends Settings<B>> {
        int consecutiveFailures;
        double failureRate;
        double slowCallRate;
        double timeoutRate;
        TripRule tripRule;
        boolean metricsOnly;
        long slowCallNanos = Long.MAX_VALUE;
        int windowSize = 100;
        long windowNanos;
        int windowBuckets;
        /** 0 while unset: derived from the window at build time. */
        int minimumCalls;
        Duration openFor = Duration.ofSeconds(30);
        double openBackoffMultiplier = 1.0;
        Duration maxOpen;
        double openJitter;
        int halfOpenProbes = 1;
        int halfOpenSuccesses = 1;
        Duration probeTimeout = Duration.ofSeconds(30);
        FailureClassifier classifier = FailureClassifier.defaults();

        Settings() {
        }

        @SuppressWarnings("unchecked")
        private B self() {
            return (B) this;
        }

        /** Trips after {@code n} failures in a row, whatever the window says. */
        public B consecutiveFailures(int n) {
            consecutiveFailures = Check.positive("consecutiveFailures", n);
            return self();
        }

        /** Trips when at least {@code percent} % of the window's calls failed. */
        public B failureRate(double percent) {
            failureRate = Check.inRange("failureRate", percent, 0, 100);
            return self();
        }

        /** Trips when at least {@code percent} % of the window's calls took {@code slowerThan} or longer. */
        public B slowCallRate(double percent, Duration slowerThan) {
            slowCallRate = Check.inRange("slowCallRate", percent, 0, 100);
            slowCallNanos = Check.nanos(Check.positive("slowCallRate.slowerThan", slowerThan));
            return self();
        }

        /** Calls lasting at least this long count as slow, for a custom rule's {@link BreakerCounts#slowCalls()}. */
        public B slowCallDuration(Duration slowerThan) {
            slowCallNanos = Check.nanos(Check.positive("slowCallDuration", slowerThan));
            return self();
        }

        /**
         * Trips when at least {@code percent} % of the window's calls timed out, as the classifier
         * {@linkplain dev.bulwark.FailureClassifier#isTimeout tells timeouts}. Apart from slow calls:
         * a call that took long but answered is slow, one cut off is a timeout.
         */
        public B timeoutRate(double percent) {
            timeoutRate = Check.inRange("timeoutRate", percent, 0, 100);
            return self();
        }

        /** A custom rule over the breaker's counts, judged beside the built-in rules. */
        public B tripWhen(TripRule rule) {
            tripRule = Check.notNull("tripWhen", rule);
            return self();
        }

        /**
         * Runs the rules and announces every transition and would-be rejection, but lets every
         * call through (default off): try a rule on production traffic before enforcing it. An
         * operator's {@link CircuitBreaker#forceOpen()} still rejects.
         */
        public B metricsOnly(boolean enabled) {
            metricsOnly = enabled;
            return self();
        }

        /** Judges rates over the last {@code calls} calls (the default, 100). */
        public B countWindow(int calls) {
            windowSize = Check.between("countWindow", calls, 1, 1_000_000);
            windowBuckets = 0;
            return self();
        }

        /** Judges rates over the last {@code length}, in 10 buckets. */
        public B timeWindow(Duration length) {
            return timeWindow(length, 10);
        }

        /** Judges rates over the last {@code length}, counted in {@code buckets} slices. */
        public B timeWindow(Duration length, int buckets) {
            Check.positive("timeWindow", length);
            windowBuckets = Check.between("timeWindow.buckets", buckets, 1, 1000);
            windowNanos = Check.nanos(length);
            if (windowNanos / buckets == 0) {
                throw new InvalidConfigException("timeWindow", length, "at least 1ns per bucket (" + buckets + " buckets)");
            }
            return self();
        }

        /**
         * Rate rules only judge a window holding at least this many calls (default 10, or a
         * count window's size if smaller). On a count window it must not exceed the window's size.
         */
        public B minimumCalls(int calls) {
            minimumCalls = Check.positive("minimumCalls", calls);
            return self();
        }

        /** How long the breaker stays open after tripping (default 30 s). */
        public B openFor(Duration duration) {
            openFor = Check.positive("openFor", duration);
            return self();
        }

        /**
         * Lengthens the open duration on each trip that follows a failed probe, by {@code multiplier},
         * up to {@code max}; a breaker that closes starts again from {@code openFor}.
         */
        public B openBackoff(double multiplier, Duration max) {
            openBackoffMultiplier = Check.closed("openBackoff.multiplier", multiplier, 1.0, 100.0);
            maxOpen = Check.positive("openBackoff.max", max);
            return self();
        }

        /** Shortens each open duration by a random fraction of at most {@code fraction}, in [0, 1). */
        public B openJitter(double fraction) {
            if (!(fraction >= 0 && fraction < 1)) {
                throw new InvalidConfigException("openJitter", fraction, "a number in [0, 1)");
            }
            openJitter = fraction;
            return self();
        }

        /**
         * At most this many probe calls run at once while half-open (default 1). The cap holds per
         * half-open period: if the breaker reopens and half-opens again while a probe of the earlier
         * period is still running, that probe is not counted (its outcome will be ignored as stale).
         */
        public B halfOpenProbes(int probes) {
            halfOpenProbes = Check.between("halfOpenProbes", probes, 1, 1000);
            return self();
        }

        /** Successful probes in a row that close the breaker (default 1). */
        public B halfOpenSuccesses(int successes) {
            halfOpenSuccesses = Check.positive("halfOpenSuccesses", successes);
            return self();
        }

        /**
         * A probe that has not reported its outcome after this long is released, so that a lost
         * probe cannot keep the breaker half-open forever (default 30 s).
         */
        public B probeTimeout(Duration timeout) {
            probeTimeout = Check.positive("probeTimeout", timeout);
            return self();
        }

        /** Decides what counts as a failure (default: every exception). */
        public B classifier(FailureClassifier failureClassifier) {
            classifier = Check.notNull("classifier", failureClassifier);
            return self();
        }

        /** Starts from the values of {@code config}. */
        public B from(CircuitBreakerConfig config) {
            Check.notNull("config", config);
            consecutiveFailures = config.consecutiveFailures;
            failureRate = config.failureRate;
            slowCallRate = config.slowCallRate;
            timeoutRate = config.timeoutRate;
            tripRule = config.tripRule;
            metricsOnly = config.metricsOnly;
            slowCallNanos = config.slowCallNanos;
            windowSize = config.windowSize;
            windowNanos = config.windowNanos;
            windowBuckets = config.windowBuckets;
            minimumCalls = config.minimumCallsSet ? config.minimumCalls : 0;
            openFor = Duration.ofNanos(config.openNanos);
            openBackoffMultiplier = config.openBackoffMultiplier;
            maxOpen = Duration.ofNanos(config.maxOpenNanos);
            openJitter = config.openJitter;
            halfOpenProbes = config.halfOpenProbes;
            halfOpenSuccesses = config.halfOpenSuccesses;
            probeTimeout = Duration.ofNanos(config.probeTimeoutNanos);
            classifier = config.classifier;
            return self();
        }
    }
}
