package dev.bulwark.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.alibaba.nacos.api.NacosFactory;
import com.alibaba.nacos.api.config.ConfigService;
import dev.bulwark.InvalidConfigException;
import dev.bulwark.breaker.CircuitBreaker;
import dev.bulwark.breaker.CircuitBreakerConfig;
import dev.bulwark.breaker.State;
import dev.bulwark.registry.PolicyRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Breakers following policy documents in Nacos config. No Nacos package exists for this
 * machine, so the tests run against {@link FakeNacosConfig}, which keeps the Nacos 3 rules a
 * source relies on; with {@code NACOS_ADDR=host:port} set (a Nacos 3 server's HTTP port) they
 * run against that real server instead, in an environment of their own.
 */
class NacosLivePoliciesTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String REAL = System.getenv("NACOS_ADDR");
    private static final String GROUP = "BULWARK";

    private FakeNacosConfig fake;
    private ConfigService publisher;
    private String env;
    private NacosPolicySource source;
    private PolicyRegistry<CircuitBreaker, CircuitBreakerConfig> breakers;
    private final List<LivePolicies> live = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        env = "test-" + UUID.randomUUID().toString().substring(0, 8);
        if (REAL == null || REAL.isBlank()) {
            fake = new FakeNacosConfig();
            publisher = fake.client();
            source = NacosPolicySource.of(fake.client(), GROUP);
        } else {
            Properties properties = new Properties();
            properties.setProperty("serverAddr", REAL);
            publisher = NacosFactory.createConfigService(properties);
            source = NacosPolicySource.connect(REAL, GROUP);
        }
        breakers = BulwarkConfig.defaults().breakers();
    }

    @AfterEach
    void stop() throws Exception {
        live.forEach(LivePolicies::close);
        source.close();
        if (fake == null) {
            publisher.shutDown();
        }
    }

    private LivePolicies follow() {
        LivePolicies policies = LivePolicies.breakers(breakers, source, LivePolicies.directory("/config", env, "orders", "breakers"));
        live.add(policies);
        return policies;
    }

    private String dataId(String name) {
        return "config." + env + ".orders.breakers." + name + ".json";
    }

    private void put(String name, String json) throws Exception {
        if (fake != null) {
            fake.publish(dataId(name), GROUP, json);
        } else {
            assertThat(publisher.publishConfig(dataId(name), GROUP, json, "json")).as("published").isTrue();
        }
    }

    private void delete(String name) throws Exception {
        if (fake != null) {
            fake.remove(dataId(name), GROUP);
        } else {
            assertThat(publisher.removeConfig(dataId(name), GROUP)).as("removed").isTrue();
        }
    }

    @Test
    void aKeyIsADataIdWithItsSlashesAsDots() {
        assertThat(NacosPolicySource.dataIdOf("/config/production/orders/breakers/grpc:user-service.json"))
                .isEqualTo("config.production.orders.breakers.grpc:user-service.json");
        assertThatThrownBy(() -> NacosPolicySource.of(new FakeNacosConfig().client(), "my group"))
                .isInstanceOf(InvalidConfigException.class).hasMessageContaining("group").hasMessageContaining("my group");
        assertThatThrownBy(() -> source.watch("/config/prod uction/", new PolicySource.Listener() {
            @Override
            public void onPut(String key, byte[] value, long revision) {
            }

            @Override
            public void onDelete(String key, long revision) {
            }
        })).isInstanceOf(InvalidConfigException.class).hasMessageContaining("prefix");
    }

    @Test
    void changesBadChangesAndDeletesReachTheLiveBreakerKeepingItsState() throws Exception {
        put("http:payment-api", "{\"failureThreshold\": 4}");
        LivePolicies policies = follow();
        CircuitBreaker payments = breakers.get("http:payment-api");
        await().atMost(WAIT).until(() -> payments.config().consecutiveFailures() == 4);

        CircuitBreaker users = breakers.get("grpc:user-service");
        users.forceOpen();
        put("grpc:user-service", "{\"failureThreshold\": 8, \"openStateTimeout\": \"2m\"}");
        await().atMost(WAIT).until(() -> users.config().consecutiveFailures() == 8);
        assertThat(users.state()).as("the open breaker stays open").isEqualTo(State.FORCED_OPEN);
        assertThat(users.config().openNanos()).isEqualTo(Duration.ofMinutes(2).toNanos());

        put("grpc:user-service", "{\"failureThreshold\": 0}");
        await().atMost(WAIT).until(() -> policies.refusals() == 1);
        assertThat(users.config().consecutiveFailures()).as("the last good policy stays").isEqualTo(8);
        assertThat(policies.status("grpc:user-service").orElseThrow().lastError()).hasValueSatisfying(
                error -> assertThat(error).contains("failure"));

        delete("grpc:user-service");
        await().atMost(WAIT).until(() -> users.config().consecutiveFailures() == CircuitBreakerConfig.defaults().consecutiveFailures());
        assertThat(policies.statuses()).containsOnlyKeys("http:payment-api");

        put("default", "{\"failureThreshold\": 9}");
        CircuitBreaker other = breakers.get("inventory");
        await().atMost(WAIT).until(() -> other.config().consecutiveFailures() == 9);
    }

    /** What a watch of the test's prefix hears of the connection: "unavailable", "resumed". */
    private List<String> connectionEvents() {
        List<String> heard = new CopyOnWriteArrayList<>();
        source.watch("/config/" + env + "/orders/breakers/", new PolicySource.Listener() {
            @Override
            public void onPut(String key, byte[] value, long revision) {
            }

            @Override
            public void onDelete(String key, long revision) {
            }

            @Override
            public void onUnavailable(Throwable cause) {
                heard.add("unavailable");
            }

            @Override
            public void onResumed() {
                heard.add("resumed");
            }
        });
        return heard;
    }

    /** Breakers a and b written, and followed. */
    private LivePolicies followingAAndB() throws Exception {
        put("a", "{\"consecutive-failures\": 11}");
        put("b", "{\"consecutive-failures\": 12}");
        LivePolicies policies = follow();
        await().atMost(WAIT).until(() -> policies.statuses().size() == 2);
        return policies;
    }

    /** The changes made around an outage (a changed, b deleted, c added) are in force, after one outage and one return. */
    private void changesArrived(LivePolicies policies, List<String> heard, Duration within) {
        await().atMost(within).untilAsserted(() -> {
            assertThat(breakers.get("a").config().consecutiveFailures()).isEqualTo(21);
            assertThat(breakers.get("b").config().consecutiveFailures()).isEqualTo(CircuitBreakerConfig.defaults().consecutiveFailures());
            assertThat(breakers.get("c").config().consecutiveFailures()).isEqualTo(23);
            assertThat(heard).containsExactly("unavailable", "resumed");
        });
        assertThat(policies.statuses()).containsOnlyKeys("a", "c");
    }

    @Test
    void changesMadeWhileNacosWasAwayArriveAndNoneIsLost() throws Exception {
        assumeTrue(fake != null, "a real Nacos is not ours to stop (see the restart test)");
        List<String> heard = connectionEvents();
        LivePolicies policies = followingAAndB();

        fake.disconnect();
        await().atMost(WAIT).until(() -> heard.contains("unavailable"));
        put("a", "{\"consecutive-failures\": 21}");
        delete("b");
        put("c", "{\"consecutive-failures\": 23}");
        assertThat(breakers.get("a").config().consecutiveFailures()).as("nothing arrives while away").isEqualTo(11);
        fake.reconnect();

        changesArrived(policies, heard, WAIT);
    }

    /**
     * With {@code NACOS_RESTART_COMMAND} also set (a shell command that stops the real server,
     * keeps it down for a while, starts it on the same data and returns once it answers): the
     * source hears the outage and the return, and changes made right after the restart, while its
     * client may still be reconnecting, arrive.
     */
    @Test
    void changesAcrossARealNacosRestartArrive() throws Exception {
        String restart = System.getenv("NACOS_RESTART_COMMAND");
        assumeTrue(fake == null && restart != null && !restart.isBlank(), "set NACOS_ADDR and NACOS_RESTART_COMMAND to run");
        List<String> heard = connectionEvents();
        LivePolicies policies = followingAAndB();

        Process restarting = new ProcessBuilder("sh", "-c", restart).inheritIO().start();
        await().atMost(Duration.ofSeconds(60)).until(() -> heard.contains("unavailable"));
        assertThat(restarting.waitFor()).as("the restart command's exit").isZero();
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().until(() -> {
            put("a", "{\"consecutive-failures\": 21}");
            return true;
        });
        delete("b");
        put("c", "{\"consecutive-failures\": 23}");

        changesArrived(policies, heard, Duration.ofSeconds(60));
    }

    @Test
    void aSourceStartedWhileNacosIsAwayFollowsOnceItIsBack() throws Exception {
        assumeTrue(fake != null, "a real Nacos is not ours to stop");
        put("late", "{\"consecutive-failures\": 14}");
        fake.disconnect();
        List<String> heard = connectionEvents();
        follow();
        await().atMost(WAIT).until(() -> heard.contains("unavailable")); // the watches were refused, and are retried
        assertThat(fake.watchCount()).isZero();
        fake.reconnect();
        await().atMost(WAIT).until(() -> breakers.get("late").config().consecutiveFailures() == 14);
    }

    @Test
    void eachDocumentIsDeliveredOnceThoughNacosTellsOfItTwice() throws Exception {
        put("a", "{\"consecutive-failures\": 11}");
        put("b", "{\"consecutive-failures\": 12}");
        Map<String, Integer> puts = new ConcurrentHashMap<>();
        source.watch("/config/" + env + "/orders/breakers/", new PolicySource.Listener() {
            @Override
            public void onPut(String key, byte[] value, long revision) {
                puts.merge(key.substring(key.lastIndexOf('/') + 1), 1, Integer::sum);
            }

            @Override
            public void onDelete(String key, long revision) {
                puts.merge("deleted " + key.substring(key.lastIndexOf('/') + 1), 1, Integer::sum);
            }
        });
        // The watch's future lists a and b, and Nacos sends an "added" event for each as well.
        await().atMost(WAIT).until(() -> puts.size() == 2);
        put("a", "{\"consecutive-failures\": 21}");
        delete("b");
        await().atMost(WAIT).until(() -> puts.containsKey("deleted b.json") && puts.get("a.json") == 2);
        // A last document: callbacks come in order on one thread, so a duplicate of the above would be heard before it.
        put("z", "{\"consecutive-failures\": 30}");
        await().atMost(WAIT).until(() -> puts.containsKey("z.json"));
        assertThat(puts).containsExactlyInAnyOrderEntriesOf(Map.of("a.json", 2, "b.json", 1, "deleted b.json", 1, "z.json", 1));
    }

    @Test
    void manyNamesEachFollowTheirOwnDocument() throws Exception {
        LivePolicies policies = follow();
        int names = 40;
        for (int i = 0; i < names; i++) {
            put("svc-" + i, "{\"consecutive-failures\": " + (10 + i) + "}");
        }
        await().atMost(WAIT).until(() -> policies.statuses().size() == names);
        for (int i = 0; i < names; i++) {
            assertThat(breakers.get("svc-" + i).config().consecutiveFailures()).isEqualTo(10 + i);
        }
        for (int i = 0; i < names; i += 2) {
            delete("svc-" + i);
        }
        await().atMost(WAIT).until(() -> policies.statuses().size() == names / 2);
        assertThat(breakers.get("svc-0").config().consecutiveFailures()).isEqualTo(CircuitBreakerConfig.defaults().consecutiveFailures());
        assertThat(breakers.get("svc-1").config().consecutiveFailures()).isEqualTo(11);
    }

    @Test
    void closingTheSourceLeavesNoWatchOrListenerBehind() throws Exception {
        assumeTrue(fake != null, "counts the fake's watches and listeners");
        put("a", "{\"consecutive-failures\": 11}");
        LivePolicies policies = follow();
        await().atMost(WAIT).until(() -> policies.statuses().size() == 1);
        assertThat(fake.watchCount()).isEqualTo(1);
        assertThat(fake.listenerCount()).isEqualTo(1);
        source.close();
        assertThat(fake.watchCount()).isZero();
        assertThat(fake.listenerCount()).isZero();
    }
}
