package dev.bulwark.testing;

import java.math.BigDecimal;
import java.time.Duration;

/** Short human-readable durations for {@code toString()} and messages: "250ms", "1.5s", "20us". */
final class Durations {
    private Durations() {
    }

    static String format(Duration duration) {
        return format(dev.bulwark.internal.Check.nanos(duration));
    }

    static String format(long nanos) {
        if (nanos == 0) {
            return "0";
        }
        long abs = Math.abs(nanos);
        if (abs >= 1_000_000_000L) {
            return scaled(nanos, 9, "s");
        }
        if (abs >= 1_000_000L) {
            return scaled(nanos, 6, "ms");
        }
        if (abs >= 1_000L) {
            return scaled(nanos, 3, "us");
        }
        return nanos + "ns";
    }

    private static String scaled(long nanos, int scale, String unit) {
        return BigDecimal.valueOf(nanos, scale).stripTrailingZeros().toPlainString() + unit;
    }
}
