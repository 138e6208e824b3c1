package dev.bulwark.discovery.consul;

import dev.bulwark.InvalidConfigException;

/**
 * Checks service names and instance ids given to the registry's methods against the alphabet
 * {@code ServiceInstance} allows: they go into Consul's URL paths ({@code /v1/health/service/<name>},
 * {@code /v1/agent/check/pass/service:<id>}), where anything else could address another resource.
 */
final class Ids {
    private Ids() {
    }

    static String check(String field, String value) {
        if (value == null || value.isEmpty() || value.length() > 200 || !value.matches("[A-Za-z0-9._:\\-]+")) {
            throw new InvalidConfigException(field, value == null ? null : "\"" + value + "\"",
                    "1 to 200 characters of letters, digits, '.', '_', ':' and '-'");
        }
        return value;
    }

    /** Whether {@code value} is a name or id Bulwark can hold (a service in Consul's catalog may not be). */
    static boolean valid(String value) {
        return value != null && !value.isEmpty() && value.length() <= 200 && value.matches("[A-Za-z0-9._:\\-]+");
    }
}
