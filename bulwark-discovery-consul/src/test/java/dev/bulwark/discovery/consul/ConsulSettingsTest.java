package dev.bulwark.discovery.consul;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.InvalidConfigException;
import dev.bulwark.discovery.RegistryConfig;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Reading a {@link RegistryConfig} for Consul: endpoints, options and their errors, which name the field. */
class ConsulSettingsTest {

    private static RegistryConfig.Builder consul(String... endpoints) {
        return RegistryConfig.builder(RegistryConfig.CONSUL).endpoints(endpoints);
    }

    private static InvalidConfigException refused(RegistryConfig config) {
        try {
            ConsulSettings.from(config);
        } catch (InvalidConfigException e) {
            return e;
        }
        throw new AssertionError("accepted " + config);
    }

    @Test
    void endpointsBecomeOneAgentUrlWithConsulsDefaultPort() {
        assertThat(ConsulSettings.from(consul("10.0.0.1").build()).agent).hasToString("http://10.0.0.1:8500");
        assertThat(ConsulSettings.from(consul("10.0.0.1:8501").tls(true).build()).agent).hasToString("https://10.0.0.1:8501");
        assertThat(ConsulSettings.from(consul("https://consul.local").build()).agent).hasToString("https://consul.local:8500");
    }

    @Test
    void defaultsAreConsulsUsualOnes() {
        ConsulSettings settings = ConsulSettings.from(consul("127.0.0.1:8500").build());
        assertThat(settings.deregisterCriticalAfter).isEqualTo(Duration.ofMinutes(1));
        assertThat(settings.readTimeout).isEqualTo(Duration.ofSeconds(10));
        assertThat(settings.watchWaitSeconds).isEqualTo(60);
        assertThat(settings.token).isEmpty();
        assertThat(settings.datacenter).isEmpty();
    }

    @Test
    void optionsAreReadFromFlatKeys() {
        ConsulSettings settings = ConsulSettings.from(RegistryConfig.fromMap(Map.of(
                "type", "consul", "endpoints", "127.0.0.1:8500", "option.token", "t0k3n", "option.datacenter", "eu-1",
                "option.deregister-critical-after", "90s", "option.read-timeout", "2500ms", "option.watch-wait", "5m")));
        assertThat(settings.token).isEqualTo("t0k3n");
        assertThat(settings.datacenter).isEqualTo("eu-1");
        assertThat(settings.deregisterCriticalAfter).isEqualTo(Duration.ofSeconds(90));
        assertThat(settings.readTimeout).isEqualTo(Duration.ofMillis(2500));
        assertThat(settings.watchWaitSeconds).isEqualTo(300);
    }

    @Test
    void invalidSettingsAreRefusedNamingTheField() {
        assertThat(refused(consul("10.0.0.1:8500", "10.0.0.2:8500").build()).field()).isEqualTo("endpoints");
        assertThat(refused(consul("ftp://10.0.0.1").build()).field()).isEqualTo("endpoints");
        assertThat(refused(consul("http://10.0.0.1:8500/v1").build()).field()).isEqualTo("endpoints");
        assertThat(refused(consul("http://10.0.0.1:8500").tls(true).build()).field()).isEqualTo("endpoints");
        assertThat(refused(consul("10.0.0.1").credentials("user", "secret").build()).field()).isEqualTo("username");
        assertThat(refused(consul("10.0.0.1").namespace("/services").build()).field()).isEqualTo("namespace");
        InvalidConfigException unknown = refused(consul("10.0.0.1").option("acl-token", "x").build());
        assertThat(unknown.field()).isEqualTo("option.acl-token");
        assertThat(unknown.allowed()).contains("option.token").contains("option.watch-wait");
        assertThat(refused(consul("10.0.0.1").option("watch-wait", "1500ms").build()).field()).isEqualTo("option.watch-wait");
        assertThat(refused(consul("10.0.0.1").option("watch-wait", "11m").build()).field()).isEqualTo("option.watch-wait");
        assertThat(refused(consul("10.0.0.1").option("read-timeout", "soon").build()).field()).isEqualTo("option.read-timeout");
        assertThat(refused(consul("10.0.0.1").option("deregister-critical-after", "0s").build()).field())
                .isEqualTo("option.deregister-critical-after");
        assertThat(refused(consul("10.0.0.1").option("token", " t ").build()).field()).isEqualTo("option.token");
        assertThat(refused(consul("10.0.0.1").option("tls-ca-file", "/etc/ca.pem").build()).allowed()).contains("TLS on");
        assertThat(refused(consul("https://10.0.0.1").option("tls-ca-file", "/nonexistent/ca.pem").build()).field())
                .isEqualTo("option.tls-ca-file");
    }

    @Test
    void aConfigOfAnotherTypeIsRefused() {
        RegistryConfig etcd = RegistryConfig.builder(RegistryConfig.ETCD).endpoints("127.0.0.1:2379").build();
        assertThatThrownBy(() -> ConsulRegistry.connect(etcd)).isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("type");
    }
}
