package dev.bulwark.discovery.nacos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.InvalidConfigException;
import dev.bulwark.discovery.RegistryConfig;
import dev.bulwark.discovery.RegistryProvider;
import java.time.Duration;
import java.util.Map;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NacosSettingsTest {

    private static RegistryConfig.Builder nacos() {
        return RegistryConfig.builder(RegistryConfig.NACOS).endpoints("10.0.0.1:8848", "http://10.0.0.2:8848");
    }

    @Test
    void defaultsAreEphemeralInstancesInThePublicNamespaceAndTheDefaultGroup() {
        NacosSettings s = NacosSettings.of(nacos().connectTimeout(Duration.ofMillis(1500)).build());
        assertThat(s.serverAddr).isEqualTo("10.0.0.1:8848,http://10.0.0.2:8848");
        assertThat(s.namespace).isEqualTo("public");
        assertThat(s.group).isEqualTo("DEFAULT_GROUP");
        assertThat(s.cluster).isEqualTo("DEFAULT");
        assertThat(s.ephemeral).isTrue();
        assertThat(s.settle).isEqualTo(Duration.ofSeconds(3));
        assertThat(s.clientProperties)
                .containsEntry("serverAddr", "10.0.0.1:8848,http://10.0.0.2:8848")
                .containsEntry("namespace", "public")
                .containsEntry("namingRequestTimeout", "1500")
                .containsEntry("namingPushEmptyProtection", "false")
                .doesNotContainKeys("username", "password", "nacos.remote.client.rpc.tls.enable", "JM.SNAPSHOT.PATH");
    }

    @Test
    void everySettingReachesNacosClient() {
        NacosSettings s = NacosSettings.of(nacos().namespace("prod-1").credentials("svc", "s3cret").tls(true)
                .option("group", "payments").option("cluster", "blue-2").option("ephemeral", "false").option("settle", "500ms")
                .option("cache-dir", "/var/cache/app").option("client.namingPollingThreadCount", "2").build());
        assertThat(s.namespace).isEqualTo("prod-1");
        assertThat(s.group).isEqualTo("payments");
        assertThat(s.cluster).isEqualTo("blue-2");
        assertThat(s.ephemeral).isFalse();
        assertThat(s.settle).isEqualTo(Duration.ofMillis(500));
        assertThat(s.clientProperties)
                .containsEntry("namespace", "prod-1")
                .containsEntry("username", "svc")
                .containsEntry("password", "s3cret")
                .containsEntry("nacos.remote.client.rpc.tls.enable", "true")
                .containsEntry("JM.SNAPSHOT.PATH", "/var/cache/app")
                .containsEntry("namingPollingThreadCount", "2");
        assertThat(s.toString()).doesNotContain("s3cret");
    }

    @Test
    void flatKeysWork() {
        NacosSettings s = NacosSettings.of(RegistryConfig.fromMap(Map.of("type", "nacos", "endpoints", "nacos:8848",
                "namespace", "dev", "option.group", "g1", "option.settle", "PT2S")));
        assertThat(s.serverAddr).isEqualTo("nacos:8848");
        assertThat(s.group).isEqualTo("g1");
        assertThat(s.settle).isEqualTo(Duration.ofSeconds(2));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "endpoints        | nacos:99999",
        "endpoints        | ftp://nacos:8848",
        "endpoints        | nacos:8848/path/more",
        "namespace        | /services",
        "option.group     | two words",
        "option.cluster   | blue_green",
        "option.ephemeral | yes",
        "option.settle    | soon",
        "option.settle    | -PT1S",
        "option.grup      | typo",
    })
    void badValuesAreRefusedNamingTheField(String field, String value) {
        // Some values are refused by RegistryConfig itself, the rest by the Nacos settings; both name the field.
        assertThatThrownBy(() -> {
            RegistryConfig.Builder b = RegistryConfig.builder(RegistryConfig.NACOS);
            switch (field) {
                case "endpoints" -> b.endpoints(value);
                case "namespace" -> b.endpoints("nacos:8848").namespace(value);
                default -> b.endpoints("nacos:8848").option(field.substring("option.".length()), value);
            }
            NacosSettings.of(b.build());
        })
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> {
                    assertThat(e.field()).isEqualTo(field);
                    assertThat(e.getMessage()).contains(value);
                });
    }

    @Test
    void anotherRegistryTypeIsRefused() {
        RegistryConfig etcd = RegistryConfig.builder(RegistryConfig.ETCD).endpoints("http://127.0.0.1:2379").build();
        assertThatThrownBy(() -> NacosSettings.of(etcd))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.field()).isEqualTo("type"));
    }

    @Test
    void registriesFindTheProviderOnTheClassPath() {
        assertThat(ServiceLoader.load(RegistryProvider.class).stream().map(ServiceLoader.Provider::get))
                .anySatisfy(p -> {
                    assertThat(p).isInstanceOf(NacosRegistryProvider.class);
                    assertThat(p.type()).isEqualTo(RegistryConfig.NACOS);
                });
    }
}
