package dev.bulwark.config;

import dev.bulwark.internal.Check;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The config center a {@link BulwarkConfig} names in its {@code config-center} section, and the
 * directory of each kind of policy in it:
 *
 * <pre>{@code
 * Optional<PolicySource> center = PolicySources.from(config);
 * String breakersDir = PolicySources.directory(config, "breakers");    // /config/{env}/{service}/breakers/
 * }</pre>
 *
 * {@code directory} (polled every second), {@code etcd} (needs jetcd), {@code zookeeper}
 * (needs Curator), {@code nacos} (needs nacos-client; {@code config-center.namespace} and
 * {@code group}), as {@code config-center.username} with its password when set, or
 * {@code consul} (its first endpoint, with {@code config-center.token} when set); the source
 * returned is the caller's to close, with the client it made.
 */
public final class PolicySources {
    private PolicySources() {
    }

    /** The source {@code config-center.type} names; empty for {@code none}. */
    public static Optional<PolicySource> from(BulwarkConfig config) {
        Check.notNull("config", config);
        String type = config.get(List.of("config-center", "type"), String.class).orElse("none");
        @SuppressWarnings("unchecked")
        List<String> endpoints = config.get(List.of("config-center", "endpoints"), List.class).orElse(List.of());
        Optional<String> user = config.get(List.of("config-center", "username"), String.class);
        String password = config.get(List.of("config-center", "password"), String.class).orElse("");
        switch (type) {
            case "etcd" -> requireClient(type, "io.etcd.jetcd.Client", "io.etcd:jetcd-core");
            case "zookeeper" -> requireClient(type, "org.apache.curator.framework.recipes.cache.CuratorCache",
                    "org.apache.curator:curator-recipes");
            case "nacos" -> requireClient(type, "com.alibaba.nacos.api.config.ConfigService", "com.alibaba.nacos:nacos-client");
            default -> {
            }
        }
        return switch (type) {
            case "directory" -> Optional.of(DirectoryPolicySource.of(
                    Path.of(config.get(List.of("config-center", "directory"), String.class).orElseThrow()), Duration.ofSeconds(1)));
            case "etcd" -> Optional.of(user.isPresent() ? EtcdPolicySource.connect(endpoints, user.get(), password)
                    : EtcdPolicySource.connect(endpoints.toArray(String[]::new)));
            case "zookeeper" -> Optional.of(user.isPresent() ? ZooKeeperPolicySource.connect(String.join(",", endpoints), user.get(), password)
                    : ZooKeeperPolicySource.connect(String.join(",", endpoints)));
            case "nacos" -> {
                java.util.Properties nacos = new java.util.Properties();
                nacos.setProperty("serverAddr", String.join(",", endpoints));
                config.get(List.of("config-center", "namespace"), String.class).ifPresent(n -> nacos.setProperty("namespace", n));
                user.ifPresent(u -> {
                    nacos.setProperty("username", u);
                    nacos.setProperty("password", password);
                });
                yield Optional.of(NacosPolicySource.connect(nacos,
                        config.get(List.of("config-center", "group"), String.class).orElse("BULWARK")));
            }
            case "consul" -> {
                URI agent = URI.create(endpoints.get(0).contains("://") ? endpoints.get(0) : "http://" + endpoints.get(0));
                Optional<String> token = config.get(List.of("config-center", "token"), String.class);
                yield Optional.of(token.isPresent() ? ConsulPolicySource.connect(agent, token.get()) : ConsulPolicySource.connect(agent));
            }
            default -> Optional.empty();
        };
    }

    /** The config center's client library is on the class path, or a clear error saying which to add. */
    private static void requireClient(String type, String className, String artifact) {
        try {
            Class.forName(className, false, PolicySources.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("config-center.type " + type + " needs " + artifact
                    + " in the application's dependencies (bulwark-config leaves it optional)", e);
        }
    }

    /** {@code {root}/{env}/{service}/{kind}/} from the {@code config-center} section. */
    public static String directory(BulwarkConfig config, String kind) {
        Check.notNull("config", config);
        return LivePolicies.directory(config.get(List.of("config-center", "root"), String.class).orElse("/config"),
                config.get(List.of("config-center", "env"), String.class).orElseThrow(),
                config.get(List.of("config-center", "service"), String.class).orElseThrow(), kind);
    }
}
