package dev.bulwark.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bulwark.breaker.CircuitBreaker;
import dev.bulwark.breaker.CircuitBreakerConfig;
import dev.bulwark.breaker.State;
import dev.bulwark.discovery.etcd.EtcdServer;
import dev.bulwark.registry.PolicyRegistry;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Breakers following policy documents in a real etcd (Debian's etcd-server, started on loopback
 * ports of its own): change, bad change, delete, many names, and a restart of etcd during which
 * documents change.
 */
class EtcdLivePoliciesTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String DIR = LivePolicies.directory("/config", "production", "orders", "breakers");

    @RegisterExtension
    static final EtcdServer etcd = EtcdServer.create("live-policies");

    private EtcdPolicySource source;
    private PolicyRegistry<CircuitBreaker, CircuitBreakerConfig> breakers;
    private LivePolicies live;
    private String dir;

    @BeforeEach
    void start(org.junit.jupiter.api.TestInfo test) {
        dir = DIR + test.getTestMethod().orElseThrow().getName() + "/";
        source = EtcdPolicySource.connect(etcd.endpoint());
        breakers = BulwarkConfig.defaults().breakers();
        live = LivePolicies.breakers(breakers, source, dir);
    }

    @AfterEach
    void stop() {
        live.close();
        source.close();
    }

    private static void put(String key, String value) throws Exception {
        etcd.jetcd().getKVClient().put(bytes(key), bytes(value)).get(10, TimeUnit.SECONDS);
    }

    private static void delete(String key) throws Exception {
        etcd.jetcd().getKVClient().delete(bytes(key)).get(10, TimeUnit.SECONDS);
    }

    private static ByteSequence bytes(String text) {
        return ByteSequence.from(text, StandardCharsets.UTF_8);
    }

    @Test
    void changesBadChangesAndDeletesReachTheLiveBreaker() throws Exception {
        CircuitBreaker users = breakers.get("grpc:user-service");
        for (int i = 0; i < 5; i++) {
            users.onFailure(users.tryAcquirePermission(), 1, new IOException("down"));
        }
        assertThat(users.state()).isEqualTo(State.OPEN);

        put(dir + "grpc:user-service.json", "{\"failureThreshold\": 8, \"openStateTimeout\": \"2m\"}");
        await().atMost(WAIT).until(() -> users.config().consecutiveFailures() == 8);
        assertThat(users.state()).as("kept open").isEqualTo(State.OPEN);
        long revision = live.status("grpc:user-service").orElseThrow().revision();

        put(dir + "grpc:user-service.json", "{\"failureThreshold\": -1}");
        await().atMost(WAIT).until(() -> live.refusals() == 1);
        assertThat(users.config().consecutiveFailures()).isEqualTo(8);
        assertThat(live.status("grpc:user-service").orElseThrow().revision()).isEqualTo(revision);

        delete(dir + "grpc:user-service.json");
        await().atMost(WAIT).until(() -> users.config().consecutiveFailures() == CircuitBreakerConfig.defaults().consecutiveFailures());
    }

    @Test
    void manyNames() throws Exception {
        for (int i = 0; i < 40; i++) {
            put(dir + "svc-" + i + ".json", "{\"consecutive-failures\": " + (20 + i) + "}");
        }
        await().atMost(WAIT).until(() -> live.statuses().size() == 40);
        for (int i = 0; i < 40; i++) {
            assertThat(breakers.get("svc-" + i).config().consecutiveFailures()).isEqualTo(20 + i);
        }
    }

    @Test
    void changesMadeWhileTheWatchWasDownAreNotLost() throws Exception {
        put(dir + "a.json", "{\"consecutive-failures\": 11}");
        put(dir + "b.json", "{\"consecutive-failures\": 12}");
        await().atMost(WAIT).until(() -> live.statuses().size() == 2);

        etcd.restart();
        // Written as soon as etcd is back, before the source's watch has found it again.
        put(dir + "a.json", "{\"consecutive-failures\": 21}");
        delete(dir + "b.json");
        put(dir + "c.json", "{\"consecutive-failures\": 23}");

        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(breakers.get("a").config().consecutiveFailures()).isEqualTo(21);
            assertThat(breakers.get("b").config().consecutiveFailures()).isEqualTo(CircuitBreakerConfig.defaults().consecutiveFailures());
            assertThat(breakers.get("c").config().consecutiveFailures()).isEqualTo(23);
        });
        assertThat(live.statuses()).containsOnlyKeys("a", "c");
    }
}
