package dev.bulwark.testing;

import dev.bulwark.InvalidConfigException;
import dev.bulwark.internal.Check;
import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * How long a {@link SimulatedDependency} takes to answer: a fixed time, a uniform range, or the
 * long-tailed log-normal shape real services show.
 *
 * <pre>{@code
 * LatencyDistribution.fixed(Duration.ofMillis(5));
 * LatencyDistribution.uniform(Duration.ofMillis(5), Duration.ofMillis(20));
 * LatencyDistribution.logNormal(Duration.ofMillis(20), Duration.ofMillis(250)); // median 20 ms, p99 250 ms
 * }</pre>
 *
 * <p>Immutable and thread-safe; randomness comes from the generator passed to
 * {@link #sampleNanos(RandomGenerator)}, so the caller decides about seeding and sharing.
 */
public final class LatencyDistribution {

    /** The standard normal's 99th percentile: p99 = median × e^(σ × Z99) for a log-normal. */
    private static final double Z99 = 2.326348;

    private final String description;
    private final Sampler sampler;

    @FunctionalInterface
    private interface Sampler {
        long sample(RandomGenerator random);
    }

    private LatencyDistribution(String description, Sampler sampler) {
        this.description = description;
        this.sampler = sampler;
    }

    /**
     * Always {@code latency}.
     *
     * @throws InvalidConfigException if {@code latency} is null or negative
     */
    public static LatencyDistribution fixed(Duration latency) {
        long nanos = Check.nanos(Check.nonNegative("latency", latency));
        return new LatencyDistribution("fixed(" + Durations.format(nanos) + ")", random -> nanos);
    }

    /**
     * Any time from {@code min} to {@code max} inclusive, equally likely.
     *
     * @throws InvalidConfigException if either is null or negative, or {@code max < min}
     */
    public static LatencyDistribution uniform(Duration min, Duration max) {
        long low = Check.nanos(Check.nonNegative("min", min));
        long high = Check.nanos(Check.nonNegative("max", max));
        if (high < low) {
            throw new InvalidConfigException("max", max, "a duration >= min (" + min + ")");
        }
        long span = high - low;
        String description = "uniform(" + Durations.format(low) + ".." + Durations.format(high) + ")";
        if (span == 0) {
            return new LatencyDistribution(description, random -> low);
        }
        return new LatencyDistribution(description, span == Long.MAX_VALUE
                ? random -> random.nextLong() & Long.MAX_VALUE
                : random -> low + random.nextLong(span + 1));
    }

    /**
     * A log-normal distribution with the given median and 99th percentile: most calls near the
     * median, a few far slower. Fitted as {@code mu = ln(median)} and
     * {@code sigma = (ln(p99) - mu) / 2.3263} (in nanoseconds); equal median and p99 give a fixed
     * latency. Samples saturate at {@link Long#MAX_VALUE} nanoseconds.
     *
     * @throws InvalidConfigException if {@code median} is not positive or {@code p99 < median}
     */
    public static LatencyDistribution logNormal(Duration median, Duration p99) {
        long medianNanos = Check.nanos(Check.positive("median", median));
        long p99Nanos = Check.nanos(Check.positive("p99", p99));
        if (p99Nanos < medianNanos) {
            throw new InvalidConfigException("p99", p99, "a duration >= median (" + median + ")");
        }
        double mu = Math.log(medianNanos);
        double sigma = (Math.log(p99Nanos) - mu) / Z99;
        String description = "logNormal(median " + Durations.format(medianNanos) + ", p99 " + Durations.format(p99Nanos) + ")";
        if (sigma == 0) {
            return new LatencyDistribution(description, random -> medianNanos);
        }
        // Math.round saturates: an extreme tail sample becomes Long.MAX_VALUE, never negative.
        return new LatencyDistribution(description, random -> Math.round(Math.exp(mu + sigma * random.nextGaussian())));
    }

    /**
     * Draws one latency, in nanoseconds (never negative), from {@code random}: the same generator
     * state gives the same latency. Only {@code random} is touched, so if threads share it, it must
     * be safe for that.
     */
    public long sampleNanos(RandomGenerator random) {
        return sampler.sample(Check.notNull("random", random));
    }

    /** Describes the distribution, e.g. {@code logNormal(median 20ms, p99 250ms)}. */
    @Override
    public String toString() {
        return description;
    }
}
