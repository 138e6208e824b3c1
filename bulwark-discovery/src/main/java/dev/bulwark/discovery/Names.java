package dev.bulwark.discovery;

import dev.bulwark.InvalidConfigException;

/** Service names and instance ids become keys and paths in registries: keep them to a safe alphabet. */
final class Names {
    private Names() {
    }

    static String check(String field, String value) {
        if (value == null || value.isEmpty() || value.length() > 200 || !value.matches("[A-Za-z0-9._:\\-]+")) {
            throw new InvalidConfigException(field, value == null ? null : "\"" + value + "\"",
                    "1 to 200 characters of letters, digits, '.', '_', ':' and '-'");
        }
        return value;
    }
}
