package dev.bulwark.discovery.consul;

import dev.bulwark.discovery.Names;

/**
 * Checks service names and instance ids given to the registry's methods against the alphabet
 * {@code ServiceInstance} allows: they go into Consul's URL paths ({@code /v1/health/service/<name>},
 * {@code /v1/agent/check/pass/service:<id>}), where anything else could address another resource.
 */
final class Ids {
    private Ids() {
    }

    static String check(String field, String value) {
        return Names.check(field, value);
    }

    /** Whether {@code value} is a name or id Bulwark can hold (a service in Consul's catalog may not be). */
    static boolean valid(String value) {
        return Names.isValid(value);
    }
}
