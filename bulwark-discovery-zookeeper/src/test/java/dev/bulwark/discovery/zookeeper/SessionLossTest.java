package dev.bulwark.discovery.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bulwark.discovery.RegistryEvent;
import dev.bulwark.discovery.ServiceInstance;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.curator.test.KillSession;
import org.apache.zookeeper.Watcher;
import org.apache.zookeeper.ZooKeeper;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A lost session takes this client's ephemeral nodes with it; the registry puts them back on the new one. */
class SessionLossTest {
    private static final String NAMESPACE = "/sessions";
    private static final Duration PATIENCE = Duration.ofSeconds(15);
    private static TestZooKeeper zookeeper;
    private ZooKeeperRegistry registrant;
    private ZooKeeperRegistry observer;

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
        registrant = zookeeper.connect(NAMESPACE);
        observer = zookeeper.connect(NAMESPACE);
    }

    @AfterEach
    void close() {
        registrant.close();
        observer.close();
    }

    private long sessionOf(ZooKeeperRegistry registry) throws Exception {
        return registry.curator().getZookeeperClient().getZooKeeper().getSessionId();
    }

    private String path(ServiceInstance instance) {
        return NAMESPACE + "/" + instance.service() + "/" + instance.id();
    }

    /**
     * Ends the registrant's session on the server, as its expiry would: a second handle joins the
     * session and closes it. The server deletes the session's ephemeral nodes at once and the
     * registrant, reconnecting, is told its session expired.
     */
    private void expireOnServer(ZooKeeperRegistry registry) throws Exception {
        ZooKeeper current = registry.curator().getZookeeperClient().getZooKeeper();
        CountDownLatch joined = new CountDownLatch(1);
        ZooKeeper twin = new ZooKeeper(zookeeper.connectString(), (int) TestZooKeeper.SESSION.toMillis(), event -> {
            if (event.getState() == Watcher.Event.KeeperState.SyncConnected) {
                joined.countDown();
            }
        }, current.getSessionId(), current.getSessionPasswd());
        try {
            assertThat(joined.await(10, TimeUnit.SECONDS)).as("joined the session").isTrue();
        } finally {
            twin.close();
        }
    }

    @Test
    void registrationsComeBackWithTheirLatestDataAfterTheServerEndsTheSession() throws Exception {
        String service = ZooKeeperRegistryTest.uniqueService();
        ServiceInstance a = ZooKeeperRegistryTest.instance(service, 9001);
        ServiceInstance b = ZooKeeperRegistryTest.instance(service, 9002);
        registrant.register(a);
        registrant.register(b);
        ServiceInstance updated = b.toBuilder().weight(9).build();
        registrant.update(updated);
        List<RegistryEvent> events = new CopyOnWriteArrayList<>();
        observer.watch(service, events::add);
        long before = sessionOf(registrant);

        expireOnServer(registrant);

        await().atMost(PATIENCE).until(() -> events.stream().filter(e -> e.type() == RegistryEvent.Type.DELETED).count() == 2);
        await().atMost(PATIENCE).until(() -> observer.list(service).size() == 2);
        assertThat(observer.list(service)).containsExactlyInAnyOrder(a, updated);
        long after = sessionOf(registrant);
        assertThat(after).as("a new session").isNotEqualTo(before);
        Stat stat = observer.curator().checkExists().forPath(path(a));
        assertThat(stat.getEphemeralOwner()).as("owned by the new session").isEqualTo(after);
        registrant.heartbeat(service, a.id());
    }

    @Test
    void aSessionTheClientGaveUpOnIsReplacedWithoutWaitingForTheServerToExpireIt() throws Exception {
        String service = ZooKeeperRegistryTest.uniqueService();
        ServiceInstance a = ZooKeeperRegistryTest.instance(service, 9001);
        registrant.register(a);
        long before = sessionOf(registrant);

        // The client alone believes its session expired (as when it was cut off past the timeout):
        // the server keeps the old session, and its node, until the session times out there.
        KillSession.kill(registrant.curator().getZookeeperClient().getZooKeeper());

        await().atMost(PATIENCE).until(() -> {
            Stat stat = observer.curator().checkExists().forPath(path(a));
            return stat != null && stat.getEphemeralOwner() != before && stat.getEphemeralOwner() == sessionOf(registrant);
        });
        assertThat(observer.get(service, a.id())).contains(a);
    }

    @Test
    void aDeregisteredInstanceStaysGoneAfterASessionLoss() throws Exception {
        String service = ZooKeeperRegistryTest.uniqueService();
        ServiceInstance a = ZooKeeperRegistryTest.instance(service, 9001);
        ServiceInstance b = ZooKeeperRegistryTest.instance(service, 9002);
        registrant.register(a);
        registrant.register(b);
        registrant.deregister(service, a.id());
        long before = sessionOf(registrant);

        expireOnServer(registrant);

        await().atMost(PATIENCE).until(() -> {
            Stat stat = observer.curator().checkExists().forPath(path(b));
            return stat != null && stat.getEphemeralOwner() != before;
        });
        List<RegistryEvent> events = new CopyOnWriteArrayList<>();
        observer.watch(service, events::add);
        ServiceInstance c = ZooKeeperRegistryTest.instance(service, 9003);
        registrant.register(c); // a later change, so that any resurrection of a would have been seen first
        await().atMost(PATIENCE).until(() -> !events.isEmpty());
        assertThat(events).containsExactly(RegistryEvent.created(c));
        assertThat(observer.list(service)).containsExactlyInAnyOrder(b, c);
    }
}
