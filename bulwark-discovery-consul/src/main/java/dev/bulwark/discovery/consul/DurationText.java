package dev.bulwark.discovery.consul;

import dev.bulwark.InvalidConfigException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * Durations as text, both ways: options read from a config ({@code 500ms}, {@code 30s},
 * {@code 1m}, {@code 2h} or ISO-8601 {@code PT30S}), and durations written for Consul in Go's
 * {@code time.Duration} syntax, which is what its API parses ({@code "15s"}, {@code "1500ms"}).
 */
final class DurationText {
    private DurationText() {
    }

    /** Reads option {@code field}; a malformed or non-positive value fails naming it. */
    static Duration parse(String field, String value) {
        String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        Duration parsed;
        try {
            if (v.endsWith("ms")) {
                parsed = Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
            } else if (v.startsWith("p")) {
                parsed = Duration.parse(v.toUpperCase(Locale.ROOT));
            } else if (v.endsWith("s")) {
                parsed = Duration.ofMillis(Math.round(Double.parseDouble(number(v)) * 1_000));
            } else if (v.endsWith("m")) {
                parsed = Duration.ofMillis(Math.round(Double.parseDouble(number(v)) * 60_000));
            } else if (v.endsWith("h")) {
                parsed = Duration.ofMillis(Math.round(Double.parseDouble(number(v)) * 3_600_000));
            } else {
                throw new NumberFormatException(v);
            }
        } catch (NumberFormatException | DateTimeParseException e) {
            throw new InvalidConfigException(field, value, "a duration such as 500ms, 30s, 1m, 2h or PT30S");
        }
        if (parsed.isNegative() || parsed.isZero()) {
            throw new InvalidConfigException(field, value, "a duration > 0");
        }
        return parsed;
    }

    private static String number(String v) {
        String n = v.substring(0, v.length() - 1);
        if (n.isEmpty() || !n.matches("[0-9]*\\.?[0-9]+")) {
            throw new NumberFormatException(v);
        }
        return n;
    }

    /**
     * {@code duration} in Go's syntax: whole seconds as {@code "15s"}, anything else in
     * milliseconds rounded up ({@code "1500ms"}), never below {@code "1ms"}.
     */
    static String go(Duration duration) {
        if (duration.getNano() == 0) {
            return duration.getSeconds() + "s";
        }
        long millis = duration.toMillis() + (duration.getNano() % 1_000_000 == 0 ? 0 : 1);
        return Math.max(1, millis) + "ms";
    }
}
