package dev.bulwark.discovery;

import dev.bulwark.InvalidConfigException;

/**
 * Service names and instance ids become keys and paths in registries, so they keep to a safe
 * alphabet: 1 to 200 letters, digits, '.', '_', ':' and '-'. Backends check names with this too.
 */
public final class Names {
    private Names() {
    }

    /** Whether {@code value} is a valid name (a name found in a registry another tool wrote may not be). */
    public static boolean isValid(String value) {
        return value != null && !value.isEmpty() && value.length() <= 200 && value.matches("[A-Za-z0-9._:\\-]+");
    }

    /** Returns {@code value} if it is a valid name, else fails naming {@code field}, the value and the rule. */
    public static String check(String field, String value) {
        if (!isValid(value)) {
            throw new InvalidConfigException(field, value == null ? null : "\"" + value + "\"",
                    "1 to 200 characters of letters, digits, '.', '_', ':' and '-'");
        }
        return value;
    }
}
