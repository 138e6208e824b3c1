package dev.bulwark.discovery.etcd;

import io.etcd.jetcd.ByteSequence;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Where instances live in etcd's key space: {@code <prefix>/<service>/<instanceId>}, the prefix
 * being the config's namespace or {@value #DEFAULT_PREFIX}. One place for the layout, so that
 * writes, range reads, watches and the parsing of keys coming back agree.
 */
final class Keys {
    static final String DEFAULT_PREFIX = "/bulwark/services";

    /** The alphabet of service names and instance ids, as {@link dev.bulwark.discovery.Names} checks them. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._:\\-]{1,200}");

    private final String prefix;

    /** A service and instance id read back from a key. */
    record Parsed(String service, String instanceId) {
    }

    Keys(String namespace) {
        String p = namespace.isEmpty() ? DEFAULT_PREFIX : namespace;
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        this.prefix = p;
    }

    /** The prefix without its trailing slash, e.g. {@code /bulwark/services}. */
    String prefix() {
        return prefix;
    }

    /** Every instance of every service lies under this. */
    ByteSequence all() {
        return bytes(prefix + "/");
    }

    /** Every instance of {@code service} lies under this (the trailing slash keeps {@code svc2} out of {@code svc}). */
    ByteSequence service(String service) {
        return bytes(prefix + "/" + service + "/");
    }

    ByteSequence instance(String service, String instanceId) {
        return bytes(prefix + "/" + service + "/" + instanceId);
    }

    /** The service and id a key names, or empty when it is no instance key of ours (wrong prefix, bad names, deeper path). */
    Optional<Parsed> parse(ByteSequence key) {
        String k = key.toString(StandardCharsets.UTF_8);
        if (!k.startsWith(prefix + "/")) {
            return Optional.empty();
        }
        String rest = k.substring(prefix.length() + 1);
        int slash = rest.indexOf('/');
        if (slash < 0) {
            return Optional.empty();
        }
        String service = rest.substring(0, slash);
        String id = rest.substring(slash + 1);
        return valid(service) && valid(id) ? Optional.of(new Parsed(service, id)) : Optional.empty();
    }

    static boolean valid(String value) {
        return value != null && NAME.matcher(value).matches();
    }

    static ByteSequence bytes(String text) {
        return ByteSequence.from(text, StandardCharsets.UTF_8);
    }

    static String text(ByteSequence bytes) {
        return bytes.toString(StandardCharsets.UTF_8);
    }
}
