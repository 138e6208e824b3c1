package dev.bulwark.config;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations such as {@code 30s}, {@code 1m30s}, {@code 250ms} or {@code PT5S}; sizes such as {@code 4MiB} or {@code 4194304}. */
final class Units {
    static final String DURATION = "a duration such as 250ms, 30s, 1m30s, 2h or PT5S";
    static final String SIZE = "a size in bytes such as 4194304, 512KiB, 4MiB or 1GiB (KB, MB, GB are powers of 1000)";
    private static final Pattern DURATION_PART = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h|d)");
    private static final Pattern SIZE_TEXT = Pattern.compile("(\\d+)\\s*(b|kb|kib|mb|mib|gb|gib|k|m|g)?");

    private Units() {
    }

    /** The duration written {@code text}; throws {@link IllegalArgumentException} when it is none. */
    static Duration duration(String text) {
        String t = text.trim();
        if (t.startsWith("P") || t.startsWith("p") || t.startsWith("-P")) {
            try {
                return Duration.parse(t.toUpperCase(Locale.ROOT));
            } catch (DateTimeParseException e) {
                throw new IllegalArgumentException(DURATION);
            }
        }
        if (t.equals("0")) {
            return Duration.ZERO;
        }
        Matcher m = DURATION_PART.matcher(t);
        int at = 0;
        long nanos = 0;
        while (at < t.length()) {
            if (!m.find(at) || m.start() != at) {
                throw new IllegalArgumentException(DURATION);
            }
            double amount = Double.parseDouble(m.group(1));
            long unit = switch (m.group(2)) {
                case "ns" -> 1L;
                case "us", "µs" -> 1_000L;
                case "ms" -> 1_000_000L;
                case "s" -> 1_000_000_000L;
                case "m" -> 60_000_000_000L;
                case "h" -> 3_600_000_000_000L;
                default -> 86_400_000_000_000L;
            };
            double part = amount * unit;
            if (part > Long.MAX_VALUE - nanos) {
                throw new IllegalArgumentException(DURATION + " (at most 292 years)");
            }
            nanos += (long) part;
            at = m.end();
        }
        if (t.isEmpty()) {
            throw new IllegalArgumentException(DURATION);
        }
        return Duration.ofNanos(nanos);
    }

    /** The size written {@code text}, in bytes. */
    static long size(String text) {
        Matcher m = SIZE_TEXT.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException(SIZE);
        }
        long unit = m.group(2) == null ? 1 : switch (m.group(2)) {
            case "b" -> 1L;
            case "kb" -> 1_000L;
            case "kib", "k" -> 1L << 10;
            case "mb" -> 1_000_000L;
            case "mib", "m" -> 1L << 20;
            case "gb" -> 1_000_000_000L;
            default -> 1L << 30;
        };
        try {
            return Math.multiplyExact(Long.parseLong(m.group(1)), unit);
        } catch (ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException(SIZE + " (at most 8 EiB)");
        }
    }

    /** {@code d} written back the way {@link #duration} reads it, e.g. {@code 1m30s}. */
    static String text(Duration d) {
        if (d.isZero()) {
            return "0s";
        }
        long nanos = d.toNanos();
        if (nanos % 1_000_000 != 0) {
            return nanos % 1_000 == 0 ? nanos / 1_000 + "us" : nanos + "ns";
        }
        long ms = nanos / 1_000_000;
        if (ms % 1000 != 0) {
            return ms + "ms";
        }
        long s = ms / 1000;
        StringBuilder b = new StringBuilder();
        if (s >= 3600) {
            b.append(s / 3600).append('h');
            s %= 3600;
        }
        if (s >= 60) {
            b.append(s / 60).append('m');
            s %= 60;
        }
        if (s > 0) {
            b.append(s).append('s');
        }
        return b.toString();
    }
}
