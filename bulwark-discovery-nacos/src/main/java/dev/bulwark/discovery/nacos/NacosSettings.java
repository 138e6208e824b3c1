package dev.bulwark.discovery.nacos;

import dev.bulwark.InvalidConfigException;
import dev.bulwark.discovery.RegistryConfig;
import dev.bulwark.internal.Check;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@link RegistryConfig} checked and translated for Nacos: where the servers are, which
 * namespace, group and cluster instances go to, whether they are ephemeral, and the
 * {@link Properties} nacos-client is created with. Every problem fails here, naming the field,
 * before any connection is attempted.
 *
 * <p>Options ({@code option.<name>} in flat keys):
 * <ul>
 *   <li>{@code group}: the Nacos group of every service (default {@value #DEFAULT_GROUP});</li>
 *   <li>{@code cluster}: the Nacos cluster new instances join (default {@value #DEFAULT_CLUSTER});</li>
 *   <li>{@code ephemeral}: {@code true} (default) for instances that live as long as this client's
 *       connection, {@code false} for persistent ones that stay until deregistered;</li>
 *   <li>{@code settle}: how long this client's own writes override the server's answers (default
 *       3 s; see {@link OwnWrites});</li>
 *   <li>{@code cache-dir}: where nacos-client keeps its on-disk copy of the instances it
 *       subscribed to (its {@code JM.SNAPSHOT.PATH}; default under {@code user.home});</li>
 *   <li>{@code client.<property>}: any nacos-client property, passed as is (it wins over the
 *       values derived here).</li>
 * </ul>
 */
final class NacosSettings {
    static final String DEFAULT_GROUP = "DEFAULT_GROUP";
    static final String DEFAULT_CLUSTER = "DEFAULT";
    static final String DEFAULT_NAMESPACE = "public";
    static final Duration DEFAULT_SETTLE = Duration.ofSeconds(3);

    private static final Pattern HOST_PORT = Pattern.compile("(?:https?://)?(?:\\[[0-9A-Fa-f:.]+]|[A-Za-z0-9.\\-]+)(?::(\\d{1,5}))?/?");
    private static final Pattern NAMESPACE = Pattern.compile("[A-Za-z0-9_\\-]{1,128}");
    private static final Pattern GROUP = Pattern.compile("[A-Za-z0-9_.:\\-]{1,128}");
    private static final Pattern CLUSTER = Pattern.compile("[A-Za-z0-9\\-]{1,64}");
    private static final Pattern SHORT_DURATION = Pattern.compile("(\\d{1,9})(ms|s)");
    private static final String CLIENT_PREFIX = "client.";
    private static final String KNOWN_OPTIONS = "group, cluster, ephemeral, settle, cache-dir, client.<nacos-client property>";

    final String serverAddr;
    final String namespace;
    final String group;
    final String cluster;
    final boolean ephemeral;
    final Duration settle;
    final Properties clientProperties;

    private NacosSettings(String serverAddr, String namespace, String group, String cluster, boolean ephemeral,
            Duration settle, Properties clientProperties) {
        this.serverAddr = serverAddr;
        this.namespace = namespace;
        this.group = group;
        this.cluster = cluster;
        this.ephemeral = ephemeral;
        this.settle = settle;
        this.clientProperties = clientProperties;
    }

    static NacosSettings of(RegistryConfig config) {
        Check.notNull("config", config);
        if (!RegistryConfig.NACOS.equals(config.type())) {
            throw new InvalidConfigException("type", config.type(), "nacos for a Nacos registry");
        }
        String serverAddr = serverAddr(config.endpoints());
        String namespace = config.namespace().isEmpty() ? DEFAULT_NAMESPACE : matching("namespace", config.namespace(),
                NAMESPACE, "a Nacos namespace id: 1 to 128 letters, digits, '_' and '-' (empty for \"public\")");
        Map<String, String> options = config.options();
        for (String name : options.keySet()) {
            if (!List.of("group", "cluster", "ephemeral", "settle", "cache-dir").contains(name)
                    && !(name.startsWith(CLIENT_PREFIX) && name.length() > CLIENT_PREFIX.length())) {
                throw new InvalidConfigException("option." + name, options.get(name), "a Nacos option: " + KNOWN_OPTIONS);
            }
        }
        String group = matching("option.group", config.option("group", DEFAULT_GROUP), GROUP,
                "a Nacos group: 1 to 128 letters, digits, '.', '_', ':' and '-'");
        String cluster = matching("option.cluster", config.option("cluster", DEFAULT_CLUSTER), CLUSTER,
                "a Nacos cluster name: 1 to 64 letters, digits and '-'");
        boolean ephemeral = bool("option.ephemeral", config.option("ephemeral", "true"));
        Duration settle = settle(config.options().get("settle"));

        Properties p = new Properties();
        p.setProperty("serverAddr", serverAddr);
        p.setProperty("namespace", namespace);
        if (!config.username().isEmpty()) {
            p.setProperty("username", config.username());
            p.setProperty("password", config.password());
        }
        if (config.tls()) {
            p.setProperty("nacos.remote.client.rpc.tls.enable", "true");
        }
        String millis = Long.toString(Math.max(1, config.connectTimeout().toMillis()));
        p.setProperty("namingRequestTimeout", millis);                          // each naming call
        p.setProperty("nacos.remote.client.grpc.server.check.timeout", millis); // each connection attempt
        // Empty pushes are passed on as they come: deciding whether to believe them is the
        // DiscoveryCache's job, which confirms them by a read (nacos-client would ignore them forever).
        p.setProperty("namingPushEmptyProtection", "false");
        p.setProperty("namingLoadCacheAtStart", "false");
        String cacheDir = options.get("cache-dir");
        if (cacheDir != null) {
            p.setProperty("JM.SNAPSHOT.PATH", Check.name("option.cache-dir", cacheDir));
        }
        options.forEach((name, value) -> {
            if (name.startsWith(CLIENT_PREFIX)) {
                p.setProperty(name.substring(CLIENT_PREFIX.length()), value);
            }
        });
        return new NacosSettings(serverAddr, namespace, group, cluster, ephemeral, settle, p);
    }

    private static String serverAddr(List<String> endpoints) {
        for (String endpoint : endpoints) {
            var m = HOST_PORT.matcher(endpoint);
            if (!m.matches() || (m.group(1) != null && !validPort(m.group(1)))) {
                throw new InvalidConfigException("endpoints", endpoint,
                        "host:port or http(s)://host:port of a Nacos server (its HTTP port, 8848 by default; gRPC uses that + 1000)");
            }
        }
        return String.join(",", endpoints);
    }

    private static boolean validPort(String digits) {
        int port = Integer.parseInt(digits);
        return port >= 1 && port <= 65_535;
    }

    private static String matching(String field, String value, Pattern pattern, String allowed) {
        if (value == null || !pattern.matcher(value).matches()) {
            throw new InvalidConfigException(field, value == null ? null : "\"" + value + "\"", allowed);
        }
        return value;
    }

    private static boolean bool(String field, String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        if (v.equals("true") || v.equals("false")) {
            return Boolean.parseBoolean(v);
        }
        throw new InvalidConfigException(field, value, "true or false");
    }

    private static Duration settle(String value) {
        if (value == null) {
            return DEFAULT_SETTLE;
        }
        Matcher shortForm = SHORT_DURATION.matcher(value.trim().toLowerCase(Locale.ROOT));
        if (shortForm.matches()) {
            long amount = Long.parseLong(shortForm.group(1));
            return shortForm.group(2).equals("ms") ? Duration.ofMillis(amount) : Duration.ofSeconds(amount);
        }
        try {
            Duration parsed = Duration.parse(value.trim());
            if (!parsed.isNegative()) {
                return parsed;
            }
        } catch (DateTimeParseException e) {
            // not ISO-8601 either: refused below
        }
        throw new InvalidConfigException("option.settle", value, "a duration >= 0 such as 500ms, 3s or PT3S");
    }

    @Override
    public String toString() {
        return "Nacos at " + serverAddr + " (namespace " + namespace + ", group " + group + ")";
    }
}
