package dev.bulwark.config;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * How the text of one setting becomes a value, and what is allowed there. Parsing is strict: YAML
 * 1.2's core schema is not applied to the text, so {@code no} and {@code on} stay words, and a
 * boolean is {@code true} or {@code false} alone.
 */
final class ValueType<T> {
    private final String allowed;
    private final Function<String, T> parser;
    private final Function<T, String> printer;

    private ValueType(String allowed, Function<String, T> parser, Function<T, String> printer) {
        this.allowed = allowed;
        this.parser = parser;
        this.printer = printer;
    }

    /** What the setting accepts, for error messages. */
    String allowed() {
        return allowed;
    }

    /** The value of {@code text}; throws {@link IllegalArgumentException} when it is not allowed. */
    T parse(String text) {
        T value;
        try {
            value = parser.apply(text);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(allowed, e);
        }
        if (value == null) {
            throw new IllegalArgumentException(allowed);
        }
        return value;
    }

    String print(Object value) {
        @SuppressWarnings("unchecked")
        T typed = (T) value;
        return printer.apply(typed);
    }

    static ValueType<Duration> duration(Duration min, Duration max) {
        String allowed = Units.DURATION + " from " + Units.text(min) + " to " + Units.text(max);
        return new ValueType<>(allowed, text -> {
            Duration d = Units.duration(text);
            return d.compareTo(min) >= 0 && d.compareTo(max) <= 0 ? d : null;
        }, Units::text);
    }

    static ValueType<Long> size(long min, long max) {
        return new ValueType<>(Units.SIZE + ", from " + min + " to " + max + " bytes", text -> {
            long n = Units.size(text);
            return n >= min && n <= max ? n : null;
        }, String::valueOf);
    }

    static ValueType<Integer> integer(int min, int max) {
        return new ValueType<>("an integer from " + min + " to " + max, text -> {
            int n = Integer.parseInt(text.trim());
            return n >= min && n <= max ? n : null;
        }, String::valueOf);
    }

    /** A number in {@code (minExclusive, max]}. */
    static ValueType<Double> number(double minExclusive, double max) {
        return new ValueType<>("a number in (" + plain(minExclusive) + ", " + plain(max) + "]", text -> {
            double d = Double.parseDouble(text.trim());
            return d > minExclusive && d <= max ? d : null;
        }, ValueType::plain);
    }

    /** A number in {@code [0, 1]}. */
    static ValueType<Double> fraction() {
        return new ValueType<>("a number from 0 to 1", text -> {
            double d = Double.parseDouble(text.trim());
            return d >= 0 && d <= 1 ? d : null;
        }, ValueType::plain);
    }

    static ValueType<Boolean> bool() {
        return new ValueType<>("true or false", text -> switch (text.trim().toLowerCase(Locale.ROOT)) {
            case "true" -> Boolean.TRUE;
            case "false" -> Boolean.FALSE;
            default -> null;
        }, String::valueOf);
    }

    static ValueType<String> text() {
        return new ValueType<>("a non-empty text", text -> text.isBlank() ? null : text.trim(), s -> s);
    }

    /** One of {@code choices}, matched ignoring case and treating {@code -} and {@code _} alike. */
    static ValueType<String> choice(String... choices) {
        List<String> all = Arrays.asList(choices);
        return new ValueType<>("one of " + String.join(", ", all), text -> {
            String wanted = Keys.canonical(text);
            return all.stream().filter(c -> Keys.canonical(c).equals(wanted)).findFirst().orElse(null);
        }, s -> s);
    }

    /** A list: a YAML sequence, or text separated by commas. */
    static ValueType<List<String>> list() {
        return new ValueType<>("a list (a YAML sequence, or values separated by commas)", text -> {
            List<String> items = Arrays.stream(text.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
            return items.isEmpty() ? null : items;
        }, items -> String.join(",", items));
    }

    private static String plain(double d) {
        return d == Math.rint(d) && !Double.isInfinite(d) ? String.valueOf((long) d) : String.valueOf(d);
    }
}
