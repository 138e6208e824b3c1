package dev.bulwark.config;

import java.util.List;
import java.util.stream.Collectors;

/**
 * A configuration that cannot be used, with every problem found in it (a load reports them all at
 * once, not the first alone). Each problem names the path, the value, where the value came from
 * (file line and column, or environment variable) and what is allowed, e.g.
 * {@code breakers.payment-api.failure-rate: 150 (bulwark.yaml line 12, col 20): allowed is a number in (0, 100]}.
 */
public final class ConfigException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final transient List<Problem> problems;

    ConfigException(List<Problem> problems) {
        super(problems.size() == 1 ? problems.get(0).toString()
                : problems.size() + " configuration problems:\n" + problems.stream().map(p -> "  " + p).collect(Collectors.joining("\n")));
        this.problems = List.copyOf(problems);
    }

    static ConfigException of(String path, Object value, Origin origin, String allowed) {
        return new ConfigException(List.of(new Problem(path, String.valueOf(value), origin, allowed)));
    }

    /** Every problem found, in the order of the source. */
    public List<Problem> problems() {
        return problems;
    }

    /**
     * One problem: the path of the setting ({@code client.timeout}), the value as written (or the
     * variable's name for an unknown variable), its origin, and what is allowed there.
     */
    public record Problem(String path, String value, Origin origin, String allowed) {
        @Override
        public String toString() {
            return path + ": " + value + " (" + origin + "): allowed is " + allowed;
        }
    }
}
