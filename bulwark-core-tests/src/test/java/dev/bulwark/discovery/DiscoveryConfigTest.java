package dev.bulwark.discovery;

import static dev.bulwark.validation.BadInput.assertRejected;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DiscoveryConfigTest {

    @Test
    void aRegistryConfigReadsFromFlatKeys() {
        RegistryConfig config = RegistryConfig.fromMap(Map.of(
                "type", "etcd", "endpoints", "http://127.0.0.1:2379, http://127.0.0.2:2379", "namespace", "/svc",
                "username", "svc", "password", "secret", "tls", "true", "session-timeout", "20s",
                "connect-timeout", "500ms", "option.token", "abc"));
        assertThat(config.type()).isEqualTo(RegistryConfig.ETCD);
        assertThat(config.endpoints()).containsExactly("http://127.0.0.1:2379", "http://127.0.0.2:2379");
        assertThat(config.sessionTimeout()).isEqualTo(Duration.ofSeconds(20));
        assertThat(config.connectTimeout()).isEqualTo(Duration.ofMillis(500));
        assertThat(config.option("token", "")).isEqualTo("abc");
        assertThat(config.toString()).doesNotContain("secret");
        assertThat(RegistryConfig.fromMap(Map.of("type", "MEMORY")).type()).isEqualTo(RegistryConfig.MEMORY);
    }

    @Test
    void missingOrInvalidFieldsAreNamed() {
        assertRejected("type", "null", () -> RegistryConfig.fromMap(Map.of()));
        assertRejected("type", "\"red is\"", () -> RegistryConfig.fromMap(Map.of("type", "Red Is")));
        assertRejected("type", "redis", () -> Registries.create(RegistryConfig.fromMap(Map.of("type", "redis",
                "endpoints", "127.0.0.1:6379")))); // a name no provider on the class path answers to
        assertRejected("endpoints", "none", () -> RegistryConfig.fromMap(Map.of("type", "zookeeper")));
        assertRejected("tls", "yes", () -> RegistryConfig.fromMap(Map.of("type", "memory", "tls", "yes")));
        assertRejected("session-timeout", "soon", () -> RegistryConfig.fromMap(Map.of("type", "memory", "session-timeout", "soon")));
        assertRejected("password", "missing", () -> RegistryConfig.fromMap(Map.of("type", "memory", "username", "svc")));
        assertRejected("colour", "blue", () -> RegistryConfig.fromMap(Map.of("type", "memory", "colour", "blue")));
        assertRejected("endpoints", "\"a b\"", () -> RegistryConfig.builder(RegistryConfig.ETCD).endpoints("a b"));
    }

    @Test
    void valuesThatWouldFailLaterFailAtBuildTimeInTheirOwnSpelling() {
        java.util.Map<String, String> withNull = new java.util.HashMap<>(Map.of("type", "etcd"));
        withNull.put("endpoints", null);
        assertRejected("endpoints", "null", () -> RegistryConfig.fromMap(withNull));
        java.util.Map<String, String> nullTimeout = new java.util.HashMap<>(Map.of("type", "memory"));
        nullTimeout.put("connect-timeout", null);
        assertRejected("connect-timeout", "null", () -> RegistryConfig.fromMap(nullTimeout));
        assertRejected("connect-timeout", "1e300s", () -> RegistryConfig.fromMap(Map.of("type", "memory",
                "connect-timeout", "1e300s")));
        assertRejected("connect-timeout", "-5s", () -> RegistryConfig.fromMap(Map.of("type", "memory",
                "connect-timeout", "-5s")));
        assertRejected("session-timeout", "2h", () -> RegistryConfig.fromMap(Map.of("type", "memory",
                "session-timeout", "2h")));
        assertRejected("connect-timeout", "PT2562047788015215H30M7S", () -> RegistryConfig.builder(RegistryConfig.MEMORY)
                .connectTimeout(java.time.Duration.ofSeconds(Long.MAX_VALUE)));
        assertRejected("endpoints", "\"127.0.0.1:99999\"", () -> RegistryConfig.builder(RegistryConfig.ETCD)
                .endpoints("127.0.0.1:99999"));
        assertRejected("endpoints", "\"http://10.0.0.1:0/\"", () -> RegistryConfig.builder(RegistryConfig.ETCD)
                .endpoints("http://10.0.0.1:0/"));
        assertThat(RegistryConfig.builder(RegistryConfig.ETCD).endpoints("[::1]:2379", "http://h:2379", "h").build()
                .endpoints()).hasSize(3);
        assertThat(RegistryConfig.fromMap(Map.of("type", "memory", "connect-timeout", "1.5s")).connectTimeout())
                .isEqualTo(java.time.Duration.ofMillis(1500));
    }

    @Test
    void hostsAreHostNamesOrAddressesOfBoundedLength() {
        assertRejected("host", "\"%%%!!!###\"", () -> ServiceInstance.builder("users", "%%%!!!###", 80));
        assertRejected("host", "\"%%%bad\"", () -> ServiceInstance.builder("users", "%%%bad", 80));
        assertRejected("host", "\"a b\"", () -> ServiceInstance.builder("users", "a b", 80));
        assertRejected("host", "\"-leading.example\"", () -> ServiceInstance.builder("users", "-leading.example", 80));
        assertRejected("host", "\"999.1.1.1\"", () -> ServiceInstance.builder("users", "999.1.1.1", 80));
        assertRejected("host", "\"[::1]\"", () -> ServiceInstance.builder("users", "[::1]", 80));
        String huge = "a".repeat(300_000);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ServiceInstance.builder("users", huge, 80))
                .isInstanceOf(dev.bulwark.InvalidConfigException.class).hasMessageContaining("(300000 characters)");
        for (String ok : new String[] {"localhost", "users-1.eu-west-1.svc.cluster.local", "10.0.0.7", "::1",
                "2001:db8::8a2e:370:7334", "fe80::1%eth0", "a".repeat(63) + ".example"}) {
            assertThat(ServiceInstance.builder("users", ok, 80).id("i").build().host()).isEqualTo(ok);
        }
    }

    @Test
    void aBackendWithoutItsModuleIsAClearError() {
        assertRejected("type", "nacos", () -> Registries.create(
                RegistryConfig.builder(RegistryConfig.NACOS).endpoints("127.0.0.1:8848").build()));
        try (ServiceRegistry memory = Registries.create(RegistryConfig.memory())) {
            assertThat(memory).isInstanceOf(InMemoryRegistry.class);
        }
    }

    @Test
    void instancesAreValidated() {
        assertRejected("service", "\"user service\"", () -> ServiceInstance.builder("user service", "h", 1));
        assertRejected("port", "0", () -> ServiceInstance.builder("users", "h", 0));
        assertRejected("port", "65536", () -> ServiceInstance.builder("users", "h", 65536));
        assertRejected("host", "null", () -> ServiceInstance.builder("users", null, 80));
        assertRejected("weight", "0", () -> ServiceInstance.builder("users", "h", 80).weight(0));
        assertRejected("ttl", "PT-1S", () -> ServiceInstance.builder("users", "h", 80).ttl(Duration.ofSeconds(-1)));
        assertRejected("id", "\"a/b\"", () -> ServiceInstance.builder("users", "h", 80).id("a/b"));
    }

    @Test
    void instancesHaveSensibleDefaultsAndAddresses() {
        ServiceInstance v6 = ServiceInstance.builder("users", "::1", 8080).build();
        assertThat(v6.address()).isEqualTo("[::1]:8080");
        assertThat(v6.id()).isEqualTo("users-::1:8080");
        assertThat(v6.health()).isEqualTo(Health.UNKNOWN);
        assertThat(v6.ttl()).isZero();
        ServiceInstance same = v6.toBuilder().build();
        assertThat(same).isEqualTo(v6).hasSameHashCodeAs(v6);
        assertThat(v6.withHealth(Health.DOWN)).isNotEqualTo(v6);
    }
}
