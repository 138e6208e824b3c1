package dev.bulwark.discovery.nacos;

import dev.bulwark.discovery.RegistryConfig;
import java.time.Duration;

/**
 * The Nacos server named by the environment, for the tests that need a real one:
 * {@code NACOS_ADDR} (host:port of its HTTP port; gRPC is that + 1000), and when its auth is on
 * {@code NACOS_USERNAME} and {@code NACOS_PASSWORD}; {@code NACOS_NAMESPACE} picks a namespace
 * other than "public".
 */
final class TestNacos {
    static final String SKIPPED = "set NACOS_ADDR=host:port to run against a real Nacos server; no Nacos package exists for"
            + " this machine, so CI skips it";

    private TestNacos() {
    }

    static RegistryConfig.Builder config() {
        RegistryConfig.Builder b = RegistryConfig.builder(RegistryConfig.NACOS).endpoints(System.getenv("NACOS_ADDR"))
                .connectTimeout(Duration.ofSeconds(5));
        String user = System.getenv("NACOS_USERNAME");
        if (user != null && !user.isBlank()) {
            b.credentials(user, System.getenv().getOrDefault("NACOS_PASSWORD", ""));
        }
        String namespace = System.getenv("NACOS_NAMESPACE");
        if (namespace != null && !namespace.isBlank()) {
            b.namespace(namespace);
        }
        return b;
    }

    static NacosRegistry connect() {
        return NacosRegistry.connect(config().build());
    }
}
