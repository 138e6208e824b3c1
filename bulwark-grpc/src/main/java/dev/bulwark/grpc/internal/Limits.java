package dev.bulwark.grpc.internal;

import dev.bulwark.InvalidConfigException;
import java.time.Duration;

/** Range checks for the gRPC builders' settings, failing with the field, the value and the range. */
public final class Limits {
    private Limits() {
    }

    /** {@code value} if it lies in [{@code min}, {@code max}]. */
    public static Duration within(String field, Duration value, Duration min, Duration max, String why) {
        if (value == null || value.compareTo(min) < 0 || value.compareTo(max) > 0) {
            throw new InvalidConfigException(field, value, "a duration in [" + text(min) + ", " + text(max) + "]"
                    + (why == null ? "" : " (" + why + ")"));
        }
        return value;
    }

    /** {@code value} if it lies in [{@code min}, {@code max}]. */
    public static long within(String field, long value, long min, long max) {
        if (value < min || value > max) {
            throw new InvalidConfigException(field, value, "a number in [" + min + ", " + max + "]");
        }
        return value;
    }

    private static String text(Duration d) {
        return d.toString().substring(2).toLowerCase(java.util.Locale.ROOT);
    }
}
