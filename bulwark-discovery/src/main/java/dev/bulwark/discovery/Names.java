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
        if (value == null || value.isEmpty() || value.length() > 200) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == ':' || c == '-';
            if (!ok) {
                return false; // checked per call on hot paths: a loop, not a regular expression
            }
        }
        return true;
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
