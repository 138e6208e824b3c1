package dev.bulwark.discovery.zookeeper;

import dev.bulwark.InvalidConfigException;
import dev.bulwark.discovery.Names;
import org.apache.curator.utils.PathUtils;
import org.apache.curator.utils.ZKPaths;

/**
 * Where things live in the tree: {@code <root>/<service>/<instanceId>}, the root being the
 * configured namespace or {@value #DEFAULT_ROOT}. Checks names against ZooKeeper's path rules
 * here, so a bad name fails as a configuration error naming the field, not as a server error.
 */
final class Layout {
    static final String DEFAULT_ROOT = "/bulwark/services";

    private final String root;

    private Layout(String root) {
        this.root = root;
    }

    /** The layout under {@code namespace}; empty means {@value #DEFAULT_ROOT}, a missing leading slash is added. */
    static Layout of(String namespace) {
        if (namespace == null || namespace.isBlank()) {
            return new Layout(DEFAULT_ROOT);
        }
        String path = namespace.startsWith("/") ? namespace : "/" + namespace;
        while (path.length() > 1 && path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        String allowed = "a ZooKeeper path below the root, such as " + DEFAULT_ROOT;
        if (path.equals("/")) {
            throw new InvalidConfigException("namespace", "\"" + namespace + "\"", allowed);
        }
        try {
            PathUtils.validatePath(path);
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigException("namespace", "\"" + namespace + "\"", allowed + " (" + e.getMessage() + ")");
        }
        return new Layout(path);
    }

    String root() {
        return root;
    }

    String servicePath(String service) {
        return ZKPaths.makePath(root, name("service", service));
    }

    String instancePath(String service, String instanceId) {
        return ZKPaths.makePath(root, name("service", service), name("instanceId", instanceId));
    }

    /**
     * One path segment: what {@code ServiceInstance} allows ({@code [A-Za-z0-9._:-]}, 1 to 200
     * characters) except {@code .} and {@code ..}, which ZooKeeper forbids as segments.
     */
    static String name(String field, String value) {
        if (!Names.isValid(value) || value.equals(".") || value.equals("..")) { // ZooKeeper forbids "." and ".." as node names
            throw new InvalidConfigException(field, value == null ? null : "\"" + value + "\"",
                    "1 to 200 characters of letters, digits, '.', '_', ':' and '-', other than '.' and '..'");
        }
        return value;
    }
}
