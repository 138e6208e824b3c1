package dev.bulwark.discovery.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.bulwark.discovery.RegistryEvent;
import dev.bulwark.discovery.RegistryException;
import dev.bulwark.discovery.ServiceInstance;
import io.etcd.jetcd.Auth;
import io.etcd.jetcd.auth.Permission;
import io.etcd.jetcd.options.OptionsUtil;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * etcd with authentication on: a user whose role may read and write the registry's prefix, and
 * no more. The registry logs in with the config's username and password.
 */
class EtcdAuthTest {
    @RegisterExtension
    static final EtcdServer ETCD = EtcdServer.create("auth");

    @BeforeAll
    static void enableAuthentication() throws Exception {
        Auth auth = ETCD.jetcd().getAuthClient();
        auth.userAdd(Keys.bytes("root"), Keys.bytes("root-secret")).get(5, TimeUnit.SECONDS);
        auth.userGrantRole(Keys.bytes("root"), Keys.bytes("root")).get(5, TimeUnit.SECONDS);
        auth.roleAdd(Keys.bytes("discovery")).get(5, TimeUnit.SECONDS);
        auth.roleGrantPermission(Keys.bytes("discovery"), Keys.bytes("/bulwark/services/"),
                OptionsUtil.prefixEndOf(Keys.bytes("/bulwark/services/")), Permission.Type.READWRITE).get(5, TimeUnit.SECONDS);
        auth.userAdd(Keys.bytes("svc"), Keys.bytes("svc-secret")).get(5, TimeUnit.SECONDS);
        auth.userGrantRole(Keys.bytes("svc"), Keys.bytes("discovery")).get(5, TimeUnit.SECONDS);
        auth.authEnable().get(5, TimeUnit.SECONDS);
    }

    @Test
    void aUserWithTheRightRoleRegistersWatchesAndDeregisters() {
        ServiceInstance a = ServiceInstance.builder("users", "127.0.0.1", 8080).registeredAt(Instant.EPOCH)
                .ttl(Duration.ofSeconds(5)).build();
        Recorder recorder = new Recorder();
        try (EtcdRegistry registry = EtcdRegistry.connect(ETCD.config().credentials("svc", "svc-secret").build())) {
            registry.watch("users", recorder);
            registry.register(a);
            assertThat(registry.list("users")).containsExactly(a);
            registry.heartbeat("users", a.id());
            registry.deregister("users", a.id());
            await().atMost(Duration.ofSeconds(10)).until(() -> recorder.events.size() == 2);
            assertThat(recorder.events).extracting(RegistryEvent::type)
                    .containsExactly(RegistryEvent.Type.CREATED, RegistryEvent.Type.DELETED);
        }
    }

    @Test
    void aWrongPasswordFailsSayingSo() {
        try (EtcdRegistry registry = EtcdRegistry.connect(ETCD.config().credentials("svc", "guess").build())) {
            assertThatThrownBy(() -> registry.list("users")).isInstanceOf(RegistryException.class)
                    .hasMessageContaining("list users").hasMessageContaining("authentication failed");
        }
    }

    @Test
    void noCredentialsOrAKeyOutsideTheRoleAreRefused() {
        try (EtcdRegistry anonymous = EtcdRegistry.connect(ETCD.config().build())) {
            assertThatThrownBy(() -> anonymous.list("users")).isInstanceOf(RegistryException.class)
                    .hasMessageContaining("list users").hasMessageContaining("user name is empty");
        }
        try (EtcdRegistry elsewhere = EtcdRegistry.connect(ETCD.config().credentials("svc", "svc-secret")
                .namespace("/other-team").build())) {
            assertThatThrownBy(() -> elsewhere.list("users")).isInstanceOf(RegistryException.class)
                    .hasMessageContaining("denied permission");
        }
    }
}
