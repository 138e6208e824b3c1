package dev.bulwark.discovery;

import dev.bulwark.InvalidConfigException;
import dev.bulwark.internal.Check;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which registry to use and how to reach it; {@link Registries#create(RegistryConfig)} makes it.
 * Validated when built: a missing or invalid field fails naming it.
 *
 * <pre>{@code
 * RegistryConfig etcd = RegistryConfig.builder(RegistryConfig.ETCD)
 *     .endpoints("http://10.0.0.1:2379", "http://10.0.0.2:2379")
 *     .namespace("/bulwark/services")
 *     .credentials("svc", "secret")
 *     .build();
 * }</pre>
 *
 * The registry type is a name: Bulwark's backends are {@value #MEMORY}, {@value #ETCD},
 * {@value #ZOOKEEPER}, {@value #CONSUL} and {@value #NACOS}; a backend of your own plugs in under a
 * name of its own through a {@link RegistryProvider}.
 */
public final class RegistryConfig {
    /** The embedded in-memory registry. */
    public static final String MEMORY = "memory";
    /** etcd v3 (module bulwark-discovery-etcd). */
    public static final String ETCD = "etcd";
    /** Apache ZooKeeper (module bulwark-discovery-zookeeper). */
    public static final String ZOOKEEPER = "zookeeper";
    /** HashiCorp Consul (module bulwark-discovery-consul). */
    public static final String CONSUL = "consul";
    /** Alibaba Nacos (module bulwark-discovery-nacos). */
    public static final String NACOS = "nacos";

    private static final Duration MAX_CONNECT_TIMEOUT = Duration.ofMinutes(10);
    private static final Duration MAX_SESSION_TIMEOUT = Duration.ofHours(1);
    private static final java.util.regex.Pattern TYPE_NAME = java.util.regex.Pattern.compile("[a-z][a-z0-9-]{0,63}");

    private final String type;
    private final List<String> endpoints;
    private final String namespace;
    private final String username;
    private final String password;
    private final boolean tls;
    private final Duration connectTimeout;
    private final Duration sessionTimeout;
    private final Map<String, String> options;

    private RegistryConfig(Builder b) {
        this.type = b.type;
        this.endpoints = List.copyOf(b.endpoints);
        this.namespace = b.namespace;
        this.username = b.username;
        this.password = b.password;
        this.tls = b.tls;
        this.connectTimeout = b.connectTimeout;
        this.sessionTimeout = b.sessionTimeout;
        this.options = java.util.Collections.unmodifiableMap(new TreeMap<>(b.options));
    }

    /** A builder for a registry of {@code type}: one of the names above, or a provider's, in lower case. */
    public static Builder builder(String type) {
        if (type == null || !TYPE_NAME.matcher(type).matches()) {
            throw new InvalidConfigException("type", type == null ? null : "\"" + type + "\"",
                    "a registry name in lower case (memory, etcd, zookeeper, consul, nacos, or a provider's)");
        }
        return new Builder(type);
    }

    /** The embedded in-memory registry. */
    public static RegistryConfig memory() {
        return builder(MEMORY).build();
    }

    /**
     * Reads a config from flat keys, as from a properties file or environment:
     * {@code type} (memory, etcd, zookeeper, consul, nacos), {@code endpoints} (comma-separated),
     * {@code namespace}, {@code username}, {@code password}, {@code tls} (true/false),
     * {@code connect-timeout}, {@code session-timeout} (ISO-8601 like PT5S, or 500ms / 5s / 1m),
     * and {@code option.<name>} for backend-specific settings (a Consul token, a Nacos group...).
     */
    public static RegistryConfig fromMap(Map<String, String> values) {
        Check.notNull("values", values);
        String typeName = values.get("type");
        if (typeName == null) {
            throw new InvalidConfigException("type", null, "one of memory, etcd, zookeeper, consul, nacos, or a provider's name");
        }
        Builder b = builder(typeName.trim().toLowerCase(Locale.ROOT));
        for (Map.Entry<String, String> e : values.entrySet()) {
            String key = e.getKey();
            String value = e.getValue();
            if (value == null) {
                throw new InvalidConfigException(key, null, "a value (leave the key out for the default)");
            }
            switch (key) {
                case "type" -> { }
                case "endpoints" -> b.endpoints(value.split("\\s*,\\s*"));
                case "namespace" -> b.namespace(value);
                case "username" -> b.username = Check.name("username", value);
                case "password" -> b.password = Check.notNull("password", value);
                case "tls" -> b.tls(bool("tls", value));
                case "connect-timeout" -> b.connectTimeout = boundedDuration("connect-timeout", value, MAX_CONNECT_TIMEOUT);
                case "session-timeout" -> b.sessionTimeout = boundedDuration("session-timeout", value, MAX_SESSION_TIMEOUT);
                default -> {
                    if (key.startsWith("option.") && key.length() > "option.".length()) {
                        b.option(key.substring("option.".length()), value);
                    } else {
                        throw new InvalidConfigException(key, value, "a known key: type, endpoints, namespace, username, "
                                + "password, tls, connect-timeout, session-timeout, option.<name>");
                    }
                }
            }
        }
        return b.build();
    }

    /** The registry's type name, such as {@value #ETCD}. */
    public String type() {
        return type;
    }

    public List<String> endpoints() {
        return endpoints;
    }

    /** A key prefix (etcd), root path (ZooKeeper), namespace (Nacos) or nothing (empty). */
    public String namespace() {
        return namespace;
    }

    /** Empty when no credentials are set. */
    public String username() {
        return username;
    }

    public String password() {
        return password;
    }

    public boolean tls() {
        return tls;
    }

    public Duration connectTimeout() {
        return connectTimeout;
    }

    public Duration sessionTimeout() {
        return sessionTimeout;
    }

    /** Backend-specific settings. */
    public Map<String, String> options() {
        return options;
    }

    /** A backend-specific setting, or {@code fallback}. */
    public String option(String name, String fallback) {
        return options.getOrDefault(name, fallback);
    }

    @Override
    public String toString() {
        return "RegistryConfig{" + type + ", " + endpoints + ", namespace=" + namespace
                + (username.isEmpty() ? "" : ", user=" + username + ", password=***") + ", tls=" + tls + '}';
    }

    private static boolean bool(String field, String value) {
        if ("true".equalsIgnoreCase(value) || "false".equalsIgnoreCase(value)) {
            return Boolean.parseBoolean(value);
        }
        throw new InvalidConfigException(field, value, "true or false");
    }

    /** {@code value} parsed and checked against (0, {@code max}], the error quoting the value as written. */
    private static Duration boundedDuration(String field, String value, Duration max) {
        Duration d = duration(field, value);
        if (d.isNegative() || d.isZero() || d.compareTo(max) > 0) {
            throw new InvalidConfigException(field, value, "a duration > 0 and at most " + text(max));
        }
        return d;
    }

    private static Duration bounded(String field, Duration value, Duration max) {
        Check.positive(field, value);
        if (value.compareTo(max) > 0) {
            throw new InvalidConfigException(field, value, "a duration > 0 and at most " + text(max));
        }
        return value;
    }

    private static String text(Duration d) {
        return d.toMinutes() >= 60 ? d.toHours() + "h" : d.toMinutes() + "m";
    }

    static Duration duration(String field, String value) {
        String v = value == null ? "" : value.trim().toLowerCase(Locale.ROOT);
        try {
            double amount;
            long unitMillis;
            if (v.endsWith("ms")) {
                amount = Double.parseDouble(v.substring(0, v.length() - 2));
                unitMillis = 1;
            } else if (v.endsWith("s") && !v.startsWith("p")) {
                amount = Double.parseDouble(v.substring(0, v.length() - 1));
                unitMillis = 1_000;
            } else if (v.endsWith("m") && !v.startsWith("p")) {
                amount = Double.parseDouble(v.substring(0, v.length() - 1));
                unitMillis = 60_000;
            } else if (v.endsWith("h") && !v.startsWith("p")) {
                amount = Double.parseDouble(v.substring(0, v.length() - 1));
                unitMillis = 3_600_000;
            } else {
                return Duration.parse(value.trim());
            }
            double millis = amount * unitMillis;
            if (!Double.isFinite(millis) || Math.abs(millis) > 1e15) {
                throw new InvalidConfigException(field, value, "a duration such as 500ms, 5s, 1m or PT5S, of at most"
                        + " some thousands of years");
            }
            return Duration.ofMillis(Math.round(millis));
        } catch (NumberFormatException | DateTimeParseException | ArithmeticException e) {
            throw new InvalidConfigException(field, value, "a duration such as 500ms, 5s, 1m or PT5S");
        }
    }

    /** Builds a {@link RegistryConfig}. */
    public static final class Builder {
        private final String type;
        private final List<String> endpoints = new ArrayList<>();
        private String namespace = "";
        private String username = "";
        private String password = "";
        private boolean tls;
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration sessionTimeout = Duration.ofSeconds(15);
        private final Map<String, String> options = new TreeMap<>();

        private Builder(String type) {
            this.type = type;
        }

        /** Addresses of the registry's servers: {@code host:port} or URLs. */
        public Builder endpoints(String... addresses) {
            Check.notNull("endpoints", addresses);
            for (String a : addresses) {
                if (a == null || a.isBlank() || a.chars().anyMatch(Character::isWhitespace) || !portInRange(a)) {
                    throw new InvalidConfigException("endpoints", a == null ? null : "\"" + a + "\"",
                            "host:port or a URL, without spaces, a port (if given) in [1, 65535]");
                }
                endpoints.add(a);
            }
            return this;
        }

        /** Whether the port of {@code address} (host:port, [v6]:port or a URL), if it has one, is a valid port. */
        private static boolean portInRange(String address) {
            String hostPort = address;
            int scheme = hostPort.indexOf("://");
            if (scheme >= 0) {
                hostPort = hostPort.substring(scheme + 3);
            }
            int slash = hostPort.indexOf('/');
            if (slash >= 0) {
                hostPort = hostPort.substring(0, slash);
            }
            hostPort = hostPort.substring(hostPort.lastIndexOf('@') + 1);
            int colon = hostPort.lastIndexOf(':');
            if (colon < 0 || hostPort.endsWith("]") || hostPort.indexOf(':') != colon && !hostPort.startsWith("[")) {
                return true; // no port (or a bare IPv6 address)
            }
            String port = hostPort.substring(colon + 1);
            if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(Character::isDigit)) {
                return false;
            }
            int n = Integer.parseInt(port);
            return n >= 1 && n <= 65_535;
        }

        public Builder namespace(String value) {
            namespace = Check.notNull("namespace", value);
            return this;
        }

        public Builder credentials(String user, String secret) {
            username = Check.name("username", user);
            password = Check.notNull("password", secret);
            return this;
        }

        public Builder tls(boolean enabled) {
            tls = enabled;
            return this;
        }

        /** How long connecting, and any one call, may take (default 5 s, at most 10 minutes). */
        public Builder connectTimeout(Duration value) {
            connectTimeout = bounded("connect-timeout", value, MAX_CONNECT_TIMEOUT);
            return this;
        }

        /** How long a session (ZooKeeper, Nacos heartbeat, etcd lease TTL) survives without contact. */
        public Builder sessionTimeout(Duration value) {
            sessionTimeout = bounded("session-timeout", value, MAX_SESSION_TIMEOUT);
            return this;
        }

        public Builder option(String name, String value) {
            options.put(Check.name("option name", name), Check.notNull("option." + name, value));
            return this;
        }

        public RegistryConfig build() {
            if (!MEMORY.equals(type) && endpoints.isEmpty()) {
                throw new InvalidConfigException("endpoints", "none", "at least one address of the " + type + " servers");
            }
            if (username.isEmpty() != password.isEmpty()) {
                throw new InvalidConfigException(username.isEmpty() ? "username" : "password", "missing",
                        "both username and password, or neither");
            }
            return new RegistryConfig(this);
        }
    }
}
