package dev.bulwark.config;

import java.util.regex.Pattern;

/**
 * How Nacos spells its names, for the configuration's checks and {@link NacosPolicySource} alike
 * (kept apart from the source, which needs nacos-client on the class path): data ids and groups
 * take letters, digits, '_', '-', '.' and ':' (at most 256 and 128 of them), namespace ids
 * letters, digits, '_' and '-' (at most 64).
 */
final class NacosNames {
    /** One character of a data id or a group. */
    static final String CHARACTER = "[A-Za-z0-9_.:\\-]";
    static final Pattern DATA_ID = Pattern.compile(CHARACTER + "{1,256}");
    static final Pattern GROUP = Pattern.compile(CHARACTER + "{1,128}");
    static final Pattern NAMESPACE = Pattern.compile("[A-Za-z0-9_\\-]{1,64}");
    static final String CHARACTERS_ALLOWED = "letters, digits, '_', '-', '.' and ':'";

    private NacosNames() {
    }
}
