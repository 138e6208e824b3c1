package dev.bulwark.internal;

import dev.bulwark.InvalidConfigException;
import java.time.Duration;

/** Argument checks for builders; every failure names the field, the value and what is allowed. */
public final class Check {
    private Check() {
    }

    public static <T> T notNull(String field, T value) {
        if (value == null) {
            throw new InvalidConfigException(field, null, "a non-null value");
        }
        return value;
    }

    public static String name(String field, String value) {
        if (value == null || value.isBlank()) {
            throw new InvalidConfigException(field, value == null ? null : "\"" + value + "\"", "a non-blank name");
        }
        return value;
    }

    public static int positive(String field, int value) {
        if (value <= 0) {
            throw new InvalidConfigException(field, value, "an integer >= 1");
        }
        return value;
    }

    public static long positive(String field, long value) {
        if (value <= 0) {
            throw new InvalidConfigException(field, value, "an integer >= 1");
        }
        return value;
    }

    public static int atLeast(String field, int value, int min) {
        if (value < min) {
            throw new InvalidConfigException(field, value, "an integer >= " + min);
        }
        return value;
    }

    public static int between(String field, int value, int min, int max) {
        if (value < min || value > max) {
            throw new InvalidConfigException(field, value, "an integer in [" + min + ", " + max + "]");
        }
        return value;
    }

    /** A finite number in {@code (lowExclusive, highInclusive]}. */
    public static double inRange(String field, double value, double lowExclusive, double highInclusive) {
        if (!(value > lowExclusive && value <= highInclusive)) {
            throw new InvalidConfigException(field, value, "a number in (" + lowExclusive + ", " + highInclusive + "]");
        }
        return value;
    }

    /** A finite number in {@code [low, high]}. */
    public static double closed(String field, double value, double low, double high) {
        if (!(value >= low && value <= high)) {
            throw new InvalidConfigException(field, value, "a number in [" + low + ", " + high + "]");
        }
        return value;
    }

    /** A finite number strictly greater than {@code low}. */
    public static double greaterThan(String field, double value, double low) {
        if (!(value > low) || Double.isInfinite(value)) {
            throw new InvalidConfigException(field, value, "a finite number > " + low);
        }
        return value;
    }

    public static Duration positive(String field, Duration value) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new InvalidConfigException(field, value, "a duration > 0");
        }
        return value;
    }

    public static Duration nonNegative(String field, Duration value) {
        if (value == null || value.isNegative()) {
            throw new InvalidConfigException(field, value, "a duration >= 0");
        }
        return value;
    }

    /** Saturating conversion: durations past ~292 years become {@link Long#MAX_VALUE} nanoseconds. */
    public static long nanos(Duration value) {
        try {
            return value.toNanos();
        } catch (ArithmeticException overflow) {
            return value.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
        }
    }
}
