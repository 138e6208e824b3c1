package dev.bulwark.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bulwark.breaker.CircuitBreaker;
import dev.bulwark.breaker.CircuitBreakerConfig;
import dev.bulwark.breaker.State;
import dev.bulwark.registry.PolicyRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Breakers following policy documents in a real ZooKeeper (Curator's TestingServer, in process on
 * a free loopback port): change keeping state, bad change, delete, and changes after a restart.
 */
class ZooKeeperLivePoliciesTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String DIR = LivePolicies.directory("/config", "production", "orders", "breakers");

    private TestingServer server;
    private CuratorFramework curator;
    private ZooKeeperPolicySource source;
    private PolicyRegistry<CircuitBreaker, CircuitBreakerConfig> breakers;
    private LivePolicies live;

    @BeforeEach
    void start() throws Exception {
        InstanceSpec spec = new InstanceSpec(null, InstanceSpec.getRandomPort(), -1, -1, true, -1, 100, -1,
                Map.of("clientPortAddress", "127.0.0.1"), "127.0.0.1");
        server = new TestingServer(spec, true);
        curator = CuratorFrameworkFactory.newClient("127.0.0.1:" + server.getPort(), 5_000, 2_000,
                new ExponentialBackoffRetry(100, 10));
        curator.start();
        source = ZooKeeperPolicySource.of(curator);
        breakers = BulwarkConfig.defaults().breakers();
        live = LivePolicies.breakers(breakers, source, DIR);
    }

    @AfterEach
    void stop() throws Exception {
        live.close();
        source.close();
        curator.close();
        server.close();
    }

    private void write(String name, String json) throws Exception {
        byte[] data = json.getBytes(StandardCharsets.UTF_8);
        if (curator.checkExists().forPath(DIR + name + ".json") == null) {
            curator.create().creatingParentsIfNeeded().forPath(DIR + name + ".json", data);
        } else {
            curator.setData().forPath(DIR + name + ".json", data);
        }
    }

    @Test
    void changesBadChangesAndDeletesReachTheLiveBreaker() throws Exception {
        CircuitBreaker users = breakers.get("grpc:user-service");
        users.forceOpen();

        write("grpc:user-service", "{\"failureThreshold\": 8, \"openStateTimeout\": \"2m\"}");
        await().atMost(WAIT).until(() -> users.config().consecutiveFailures() == 8);
        assertThat(users.state()).isEqualTo(State.FORCED_OPEN);

        write("grpc:user-service", "{\"failureThreshold\": \"many\"}");
        await().atMost(WAIT).until(() -> live.refusals() == 1);
        assertThat(users.config().consecutiveFailures()).isEqualTo(8);
        assertThat(live.status("grpc:user-service").orElseThrow().lastError()).isPresent();

        curator.delete().forPath(DIR + "grpc:user-service.json");
        await().atMost(WAIT).until(() -> users.config().consecutiveFailures() == CircuitBreakerConfig.defaults().consecutiveFailures());
    }

    @Test
    void changesAfterARestartArriveAndNoneIsLost() throws Exception {
        write("a", "{\"consecutive-failures\": 11}");
        write("b", "{\"consecutive-failures\": 12}");
        await().atMost(WAIT).until(() -> live.statuses().size() == 2);

        server.restart();
        write("a", "{\"consecutive-failures\": 21}");
        curator.delete().forPath(DIR + "b.json");
        write("c", "{\"consecutive-failures\": 23}");

        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(breakers.get("a").config().consecutiveFailures()).isEqualTo(21);
            assertThat(breakers.get("b").config().consecutiveFailures()).isEqualTo(CircuitBreakerConfig.defaults().consecutiveFailures());
            assertThat(breakers.get("c").config().consecutiveFailures()).isEqualTo(23);
        });
    }
}
