package dev.bulwark.testing.sim;

import dev.bulwark.internal.Check;
import dev.bulwark.testing.LatencyDistribution;
import java.time.Duration;
import java.util.Locale;
import java.util.random.RandomGenerator;

/**
 * One simulated backend of a {@link Simulation}: how long it takes to answer, how often it fails,
 * and whether it is stalled. Backends have unlimited capacity: a request's latency does not depend
 * on how many others are in flight. Immutable.
 *
 * <pre>{@code
 * LatencyDistribution normal = LatencyDistribution.logNormal(Duration.ofMillis(10), Duration.ofMillis(50));
 * Backend.healthy("b1", normal);
 * Backend.builder("stuck").stalled(Duration.ofSeconds(2)).build();            // every answer takes 2 s
 * Backend.builder("flaky").latency(normal).failureRate(0.5)
 *         .failureLatency(LatencyDistribution.fixed(Duration.ofMillis(1))).build(); // fails fast half the time
 * }</pre>
 */
public final class Backend {
    private final String name;
    private final LatencyDistribution latency;
    private final LatencyDistribution failureLatency;
    private final double failureRate;
    private final long stalledNanos;
    private final int weight;

    private Backend(Builder b) {
        this.name = b.name;
        this.latency = b.latency;
        this.failureLatency = b.failureLatency != null ? b.failureLatency : b.latency;
        this.failureRate = b.failureRate;
        this.stalledNanos = b.stalledNanos;
        this.weight = b.weight;
    }

    /** A backend that always succeeds, answering in {@code latency}. */
    public static Backend healthy(String name, LatencyDistribution latency) {
        return builder(name).latency(latency).build();
    }

    public static Builder builder(String name) {
        return new Builder(Check.name("name", name));
    }

    public String name() {
        return name;
    }

    /** The weight weighted balancers see. */
    public int weight() {
        return weight;
    }

    /** The probability that a request fails, in [0, 1]. */
    public double failureRate() {
        return failureRate;
    }

    /** Whether every answer takes a fixed, long time ({@link Builder#stalled(Duration)}). */
    public boolean isStalled() {
        return stalledNanos >= 0;
    }

    /** Draws whether the next request fails. */
    boolean drawFailure(RandomGenerator random) {
        return failureRate > 0 && random.nextDouble() < failureRate;
    }

    /** Draws how long the next request takes to be answered, failed or not. */
    long drawLatency(boolean failed, RandomGenerator random) {
        if (stalledNanos >= 0) {
            return stalledNanos;
        }
        return (failed ? failureLatency : latency).sampleNanos(random);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder(name).append(": ");
        if (isStalled()) {
            s.append("stalled, answers after ").append(Duration.ofNanos(stalledNanos));
        } else {
            s.append(latency);
        }
        if (failureRate > 0) {
            s.append(String.format(Locale.ROOT, ", fails %.1f%%", failureRate * 100));
            if (!isStalled() && failureLatency != latency) {
                s.append(" in ").append(failureLatency);
            }
        }
        return s.toString();
    }

    /** Builds a {@link Backend}; by default it answers in 10 ms, never fails, weight 1. */
    public static final class Builder {
        private final String name;
        private LatencyDistribution latency = LatencyDistribution.fixed(Duration.ofMillis(10));
        private LatencyDistribution failureLatency;
        private double failureRate;
        private long stalledNanos = -1;
        private int weight = 1;

        private Builder(String name) {
            this.name = name;
        }

        /** How long a request takes (a successful one, if {@link #failureLatency} is set too). */
        public Builder latency(LatencyDistribution distribution) {
            latency = Check.notNull("latency", distribution);
            return this;
        }

        /** The probability that a request fails, in [0, 1]. */
        public Builder failureRate(double probability) {
            failureRate = Check.closed("failureRate", probability, 0, 1);
            return this;
        }

        /** How long a failing request takes (default: {@link #latency}): fast failures, or slow ones. */
        public Builder failureLatency(LatencyDistribution distribution) {
            failureLatency = Check.notNull("failureLatency", distribution);
            return this;
        }

        /** Every request, failed or not, is answered after exactly {@code answersAfter}. */
        public Builder stalled(Duration answersAfter) {
            stalledNanos = Check.nanos(Check.nonNegative("stalled", answersAfter));
            return this;
        }

        /** The weight weighted balancers see (default 1). */
        public Builder weight(int value) {
            weight = Check.between("weight", value, 1, 1_000_000);
            return this;
        }

        public Backend build() {
            return new Backend(this);
        }
    }
}
