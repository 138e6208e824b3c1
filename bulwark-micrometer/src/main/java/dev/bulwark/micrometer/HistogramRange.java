package dev.bulwark.micrometer;

import dev.bulwark.InvalidConfigException;
import dev.bulwark.internal.Check;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/**
 * The range of durations a timer's percentile histogram resolves: Micrometer's fixed buckets
 * (about four per doubling) between {@code min} and {@code max}, plus {@code +Inf}. Fixed buckets
 * add up across instances, so a service's percentiles come out right.
 */
record HistogramRange(Duration min, Duration max) {
    /** 1 ms to 30 s: 68 buckets plus {@code +Inf}. */
    static final HistogramRange DEFAULT = new HistogramRange(Duration.ofMillis(1), Duration.ofSeconds(30));

    /** A range checked as a builder's {@code expectedDurations(min, max)} setting. */
    static HistogramRange of(Duration min, Duration max) {
        Check.positive("expectedDurations.min", min);
        Check.positive("expectedDurations.max", max);
        if (max.compareTo(min) <= 0) {
            throw new InvalidConfigException("expectedDurations.max", max, "a duration > min (" + min + ")");
        }
        return new HistogramRange(min, max);
    }

    /** {@code timer} publishing this histogram. */
    Timer.Builder applyTo(Timer.Builder timer) {
        return timer.publishPercentileHistogram().minimumExpectedValue(min).maximumExpectedValue(max);
    }
}
