package dev.bulwark;

/**
 * A builder or configuration was given a value it cannot accept. The message names the field,
 * the value and what is allowed, e.g. {@code "failureRateThreshold = NaN: allowed is a number in (0, 100]"}.
 */
public final class InvalidConfigException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String field;
    private final String value;
    private final String allowed;

    public InvalidConfigException(String field, Object value, String allowed) {
        super(field + " = " + value + ": allowed is " + allowed);
        this.field = field;
        this.value = String.valueOf(value);
        this.allowed = allowed;
    }

    /** The name of the rejected field, as the builder method or config key names it. */
    public String field() {
        return field;
    }

    /** The rejected value, as text. */
    public String value() {
        return value;
    }

    /** What the field accepts. */
    public String allowed() {
        return allowed;
    }
}
