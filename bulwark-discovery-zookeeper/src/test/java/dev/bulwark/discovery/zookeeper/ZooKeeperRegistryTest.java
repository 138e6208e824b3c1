package dev.bulwark.discovery.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.bulwark.InvalidConfigException;
import dev.bulwark.discovery.Health;
import dev.bulwark.discovery.Registries;
import dev.bulwark.discovery.RegistryConfig;
import dev.bulwark.discovery.RegistryEvent;
import dev.bulwark.discovery.RegistryException;
import dev.bulwark.discovery.ServiceInstance;
import dev.bulwark.discovery.ServiceRegistry;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the ZooKeeper backend does beyond the shared contract: its layout, corrupt data, configuration. */
class ZooKeeperRegistryTest {
    private static final String NAMESPACE = "/registry-test";
    private static TestZooKeeper zookeeper;
    private ZooKeeperRegistry registry;

    @BeforeAll
    static void startServer() {
        zookeeper = TestZooKeeper.start();
    }

    @AfterAll
    static void stopServer() {
        zookeeper.close();
    }

    @BeforeEach
    void connect() {
        registry = zookeeper.connect(NAMESPACE);
    }

    @AfterEach
    void close() {
        registry.close();
    }

    static String uniqueService() {
        return "svc-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static ServiceInstance instance(String service, int port) {
        return ServiceInstance.builder(service, "127.0.0.1", port).version("2.0.1").zone("zone-b")
                .metadata("commit", "abc123").tag("blue").registeredAt(Instant.parse("2025-03-04T05:06:07.089Z"))
                .ttl(Duration.ofSeconds(15)).build();
    }

    private void writeRaw(String service, String id, String data) throws Exception {
        registry.curator().create().creatingParentContainersIfNeeded().withMode(CreateMode.EPHEMERAL)
                .forPath(NAMESPACE + "/" + service + "/" + id, data.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void anInstanceIsAnEphemeralJsonNodeUnderNamespaceServiceAndId() throws Exception {
        String service = uniqueService();
        ServiceInstance a = instance(service, 9001);
        registry.register(a);

        String path = NAMESPACE + "/" + service + "/" + a.id();
        Stat stat = registry.curator().checkExists().forPath(path);
        assertThat(stat.getEphemeralOwner()).as("owned by this client's session")
                .isEqualTo(registry.curator().getZookeeperClient().getZooKeeper().getSessionId());
        String json = new String(registry.curator().getData().forPath(path), StandardCharsets.UTF_8);
        assertThat(json).contains("\"service\":\"" + service + "\"", "\"port\":9001",
                "\"registeredAt\":\"2025-03-04T05:06:07.089Z\"", "\"ttl\":\"PT15S\"", "\"metadata\":{\"commit\":\"abc123\"}");
    }

    @Test
    void updateKeepsTheNodeEphemeralAndRefusesAMissingOne() throws Exception {
        String service = uniqueService();
        ServiceInstance a = instance(service, 9001);
        registry.register(a);
        ServiceInstance down = a.toBuilder().health(Health.DOWN).build();
        registry.update(down);

        assertThat(registry.get(service, a.id())).contains(down);
        assertThat(registry.curator().checkExists().forPath(NAMESPACE + "/" + service + "/" + a.id()).getEphemeralOwner()).isNotZero();
        registry.deregister(service, a.id());
        assertThatThrownBy(() -> registry.update(down)).isInstanceOf(RegistryException.class)
                .hasMessageContaining("update " + service + "/" + a.id()).hasMessageContaining("not registered");
    }

    @Test
    void aHeartbeatChecksTheNodeIsThere() {
        String service = uniqueService();
        ServiceInstance a = instance(service, 9001);
        registry.register(a);
        registry.heartbeat(service, a.id());
        registry.deregister(service, a.id());
        assertThatThrownBy(() -> registry.heartbeat(service, a.id())).isInstanceOf(RegistryException.class)
                .hasMessageContaining("not registered");
    }

    @Test
    void registeringReplacesANodeSomeoneElseLeftAtThePath() throws Exception {
        String service = uniqueService();
        ServiceInstance a = instance(service, 9001);
        registry.curator().create().creatingParentContainersIfNeeded().withMode(CreateMode.PERSISTENT)
                .forPath(NAMESPACE + "/" + service + "/" + a.id(), "left over".getBytes(StandardCharsets.UTF_8));

        registry.register(a);

        assertThat(registry.get(service, a.id())).contains(a);
        assertThat(registry.curator().checkExists().forPath(NAMESPACE + "/" + service + "/" + a.id()).getEphemeralOwner())
                .as("ephemeral now").isNotZero();
    }

    @Test
    void corruptDataIsSkippedAndCountedInEveryRead() throws Exception {
        String service = uniqueService();
        ServiceInstance good = instance(service, 9001);
        registry.register(good);
        writeRaw(service, "not-json", "{{{ not json");
        writeRaw(service, "no-port", "{\"service\":\"" + service + "\",\"id\":\"no-port\",\"host\":\"h\"}");
        writeRaw(service, "bad-port", "{\"service\":\"" + service + "\",\"id\":\"bad-port\",\"host\":\"h\",\"port\":0}");
        writeRaw(service, "wrong-id", "{\"service\":\"" + service + "\",\"id\":\"someone-else\",\"host\":\"h\",\"port\":1}");
        writeRaw(service, "port-as-text", "{\"service\":\"" + service + "\",\"id\":\"port-as-text\",\"host\":\"h\",\"port\":\"80\"}");

        assertThat(registry.list(service)).containsExactly(good);
        assertThat(registry.corruptEntries()).isEqualTo(new dev.bulwark.discovery.CorruptEntryCounts(5, 5));
        assertThat(registry.get(service, "not-json")).isEmpty();
        assertThat(registry.corruptEntries()).isEqualTo(new dev.bulwark.discovery.CorruptEntryCounts(5, 6));
        assertThat(registry.listAll().get(service)).containsExactly(good);
        assertThat(registry.corruptEntries()).as("the same five nodes, met again")
                .isEqualTo(new dev.bulwark.discovery.CorruptEntryCounts(5, 11));
    }

    @Test
    void aWatchSkipsCorruptDataAndCarriesOn() throws Exception {
        String service = uniqueService();
        List<RegistryEvent> events = new CopyOnWriteArrayList<>();
        registry.watch(service, events::add);

        writeRaw(service, "garbage", "\u0000\u0001binary");
        ServiceInstance good = instance(service, 9001);
        registry.register(good);

        await().atMost(Duration.ofSeconds(10)).until(() -> !events.isEmpty());
        assertThat(events).containsExactly(RegistryEvent.created(good));
        assertThat(registry.corruptEntries().skippedReads()).isEqualTo(1);
    }

    @Test
    void aWatchReportsNoChangeWhenTheSameInstanceIsRegisteredAgain() {
        String service = uniqueService();
        ServiceInstance a = instance(service, 9001);
        List<RegistryEvent> events = new CopyOnWriteArrayList<>();
        registry.watch(service, events::add);
        registry.register(a);
        registry.register(a); // rewritten with identical data: not a change
        ServiceInstance changed = a.toBuilder().weight(3).build();
        registry.register(changed);

        await().atMost(Duration.ofSeconds(10)).until(() -> events.size() >= 2);
        assertThat(events).containsExactly(RegistryEvent.created(a), RegistryEvent.updated(changed));
    }

    @Test
    void aWatchIgnoresWhatWasThereBeforeItStarted() {
        String service = uniqueService();
        registry.register(instance(service, 9001));
        List<RegistryEvent> events = new CopyOnWriteArrayList<>();
        registry.watch(service, events::add);
        ServiceInstance later = instance(service, 9002);
        registry.register(later);

        await().atMost(Duration.ofSeconds(10)).until(() -> !events.isEmpty());
        assertThat(events).containsExactly(RegistryEvent.created(later));
    }

    @Test
    void aListenerMayWriteToTheServiceItWatchesWithoutWaitingOnItself() {
        try (ZooKeeperRegistry patient = ZooKeeperRegistry.connect(zookeeper.config(NAMESPACE).connectTimeout(Duration.ofSeconds(10)).build())) {
            String service = uniqueService();
            ServiceInstance first = instance(service, 9001);
            ServiceInstance second = instance(service, 9002);
            List<RegistryEvent> events = new CopyOnWriteArrayList<>();
            patient.watch(service, event -> {
                events.add(event);
                if (event.instanceId().equals(first.id())) {
                    patient.register(second); // on the notify thread, which must not wait for its own delivery
                }
            });
            long start = System.nanoTime();
            patient.register(first);
            await().atMost(Duration.ofSeconds(20)).until(() -> events.size() == 2);
            assertThat(events).containsExactly(RegistryEvent.created(first), RegistryEvent.created(second));
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("far less than the 10 s a self-wait would take")
                    .isLessThan(Duration.ofSeconds(5));
        }
    }

    @Test
    void registriesCreateFindsTheBackend() {
        try (ServiceRegistry made = Registries.create(zookeeper.config(NAMESPACE).build())) {
            assertThat(made).isInstanceOf(ZooKeeperRegistry.class);
            String service = uniqueService();
            made.register(instance(service, 9001));
            assertThat(registry.list(service)).hasSize(1);
        }
    }

    @Test
    void theDefaultRootIsBulwarkServices() throws Exception {
        try (ZooKeeperRegistry defaults = zookeeper.connect("")) {
            String service = uniqueService();
            defaults.register(instance(service, 9001));
            assertThat(defaults.curator().checkExists().forPath("/bulwark/services/" + service)).isNotNull();
        }
    }

    @Test
    void badConfigurationFailsNamingTheField() {
        assertThatThrownBy(() -> ZooKeeperRegistry.connect(zookeeper.config(NAMESPACE).tls(true).build()))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.field()).isEqualTo("tls"));
        assertThatThrownBy(() -> ZooKeeperRegistry.connect(zookeeper.config("/").build()))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.field()).isEqualTo("namespace"));
        assertThatThrownBy(() -> ZooKeeperRegistry.connect(zookeeper.config("/a//b").build()))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.field()).isEqualTo("namespace"));
        assertThatThrownBy(() -> ZooKeeperRegistry.connect(RegistryConfig.builder(RegistryConfig.ZOOKEEPER)
                .endpoints("127.0.0.1:99999").build()))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.field()).isEqualTo("endpoints"));
        assertThatThrownBy(() -> ZooKeeperRegistry.connect(RegistryConfig.builder(RegistryConfig.ETCD)
                .endpoints("127.0.0.1:2379").build()))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.field()).isEqualTo("type"));
        assertThatThrownBy(() -> registry.list(".."))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.field()).isEqualTo("service"));
        assertThatThrownBy(() -> registry.get("users", "a/b"))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.field()).isEqualTo("instanceId"));
    }

    @Test
    void endpointsBecomeAConnectString() {
        assertThat(CuratorClients.connectString(List.of("zk1:2181", "zk://zk2:2182/", "zk3", "[::1]:2183")))
                .isEqualTo("zk1:2181,zk2:2182,zk3:2181,[::1]:2183");
    }

    @Test
    void connectingToNoServerFailsWithinTheConnectTimeout() throws IOException {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort(); // free once closed: nothing listens there
        }
        RegistryConfig config = RegistryConfig.builder(RegistryConfig.ZOOKEEPER).endpoints("127.0.0.1:" + port)
                .connectTimeout(Duration.ofMillis(500)).build();
        long start = System.nanoTime();
        assertThatThrownBy(() -> ZooKeeperRegistry.connect(config)).isInstanceOf(RegistryException.class)
                .hasMessageContaining("cannot connect to ZooKeeper at 127.0.0.1:" + port);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
    }

    @Test
    void aClosedRegistryRefusesWork() {
        registry.close();
        assertThatThrownBy(() -> registry.list("users")).isInstanceOf(RegistryException.class).hasMessageContaining("closed");
        assertThatThrownBy(() -> registry.register(instance("users", 1))).isInstanceOf(RegistryException.class);
    }
}
