package dev.bulwark.discovery.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.bulwark.discovery.DiscoveryCache;
import dev.bulwark.discovery.RegistryEvent;
import dev.bulwark.discovery.RegistryException;
import dev.bulwark.discovery.WatchListener;
import dev.bulwark.discovery.ServiceInstance;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.zookeeper.data.Stat;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The ZooKeeper server stops and comes back while a {@link DiscoveryCache} watches through this
 * registry: the cache serves what it knew during the outage, says it is degraded, resumes, and
 * afterwards agrees with a fresh full read, having missed no change.
 */
class ServerRestartTest {
    private static final String NAMESPACE = "/restarts";
    private static final Duration PATIENCE = Duration.ofSeconds(20);
    private static TestZooKeeper zookeeper;
    private final List<AutoCloseable> closing = new java.util.ArrayList<>();

    @BeforeAll
    static void startServer() {
        zookeeper = TestZooKeeper.start();
    }

    @AfterAll
    static void stopServer() {
        zookeeper.close();
    }

    @AfterEach
    void closeAll() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
    }

    private <T extends AutoCloseable> T closeLater(T resource) {
        closing.add(resource);
        return resource;
    }

    private ZooKeeperRegistry client(Duration session, Duration connectTimeout) {
        return closeLater(ZooKeeperRegistry.connect(zookeeper.config(NAMESPACE).sessionTimeout(session).connectTimeout(connectTimeout).build()));
    }

    private DiscoveryCache cache(ZooKeeperRegistry registry, String service) {
        return closeLater(DiscoveryCache.builder(registry, service).resyncEvery(Duration.ofMillis(500))
                .confirmEmptyAfter(Duration.ofMillis(200)).build().start());
    }

    private static Set<ServiceInstance> set(List<ServiceInstance> instances) {
        return new HashSet<>(instances);
    }

    /** The cache holds exactly what a new client reads from the server now. */
    private static boolean agreesWithAFreshRead(DiscoveryCache cache, String service) {
        try (ZooKeeperRegistry fresh = zookeeper.connect(NAMESPACE)) {
            return set(cache.instances()).equals(set(fresh.list(service)));
        }
    }

    @Test
    void aShortOutageIsBridgedAndLaterChangesReachTheCache() {
        Duration session = Duration.ofSeconds(10); // outlives the outage: the sessions survive it
        ZooKeeperRegistry registrant = client(session, Duration.ofSeconds(5));
        ZooKeeperRegistry observer = client(session, Duration.ofSeconds(1));
        String service = ZooKeeperRegistryTest.uniqueService();
        ServiceInstance a = ZooKeeperRegistryTest.instance(service, 9001);
        ServiceInstance b = ZooKeeperRegistryTest.instance(service, 9002);
        registrant.register(a);
        registrant.register(b);
        DiscoveryCache cache = cache(observer, service);
        await().atMost(PATIENCE).until(() -> cache.instances().size() == 2);
        List<String> heard = new CopyOnWriteArrayList<>();
        observer.watch(service, recorder(heard));

        zookeeper.stop();
        await().atMost(PATIENCE).until(() -> cache.stats().degraded());
        long errorsAtStop = cache.stats().errors();
        await().atMost(PATIENCE).until(() -> cache.stats().errors() > errorsAtStop); // a resync failed too
        assertThat(set(cache.instances())).as("the last known instances, served stale").containsExactlyInAnyOrder(a, b);
        assertThat(cache.stats().staleServes()).isPositive();
        long start = System.nanoTime();
        assertThatThrownBy(() -> observer.list(service)).isInstanceOf(RegistryException.class).hasMessageContaining("cannot reach ZooKeeper");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("bounded by the connect timeout").isLessThan(Duration.ofMillis(2_000));
        List<String> heardLate = new CopyOnWriteArrayList<>();
        observer.watch(service, recorder(heardLate)); // started during the outage: starts disconnected

        zookeeper.restart();
        await().atMost(PATIENCE).until(() -> !cache.stats().degraded());
        await().atMost(PATIENCE).until(() -> heard.contains("resumed complete=false") && heardLate.contains("resumed complete=false"));
        assertThat(heard).containsExactly("disconnected", "resumed complete=false");
        assertThat(heardLate).containsExactly("disconnected", "resumed complete=false");
        ServiceInstance c = ZooKeeperRegistryTest.instance(service, 9003);
        ServiceInstance heavier = b.toBuilder().weight(5).build();
        registrant.register(c);
        registrant.deregister(service, a.id());
        registrant.update(heavier);

        await().atMost(PATIENCE).until(() -> set(cache.instances()).equals(Set.of(heavier, c)));
        assertThat(agreesWithAFreshRead(cache, service)).isTrue();
        await().atMost(PATIENCE).until(() -> heardLate.size() == 5);
        // A deletion needs no read, so it may overtake the creation or update of another instance.
        assertThat(heardLate.subList(2, 5)).containsExactlyInAnyOrder("CREATED 9003", "DELETED 9001", "UPDATED 9002");
    }

    private static WatchListener recorder(List<String> heard) {
        return new WatchListener() {
            @Override
            public void onEvent(RegistryEvent event) {
                heard.add(event.type() + " " + event.instanceId().substring(event.instanceId().lastIndexOf(':') + 1));
            }

            @Override
            public void onDisconnected(Throwable cause) {
                heard.add("disconnected");
            }

            @Override
            public void onResumed(boolean complete) {
                heard.add("resumed complete=" + complete);
            }
        };
    }

    @Test
    void afterAnOutageLongerThanTheSessionRegistrationsComeBackAndTheCacheAgreesWithAFreshRead() throws Exception {
        ZooKeeperRegistry registrant = client(TestZooKeeper.SESSION, TestZooKeeper.SESSION);
        ZooKeeperRegistry observer = client(TestZooKeeper.SESSION, Duration.ofSeconds(1));
        AtomicBoolean registrantLost = new AtomicBoolean();
        registrant.curator().getConnectionStateListenable().addListener((c, state) -> {
            if (state == ConnectionState.LOST) {
                registrantLost.set(true);
            }
        });
        String service = ZooKeeperRegistryTest.uniqueService();
        ServiceInstance a = ZooKeeperRegistryTest.instance(service, 9001);
        ServiceInstance b = ZooKeeperRegistryTest.instance(service, 9002);
        registrant.register(a);
        registrant.register(b);
        long oldSession = registrant.curator().getZookeeperClient().getZooKeeper().getSessionId();
        DiscoveryCache cache = cache(observer, service);
        await().atMost(PATIENCE).until(() -> cache.instances().size() == 2);

        zookeeper.stop();
        await().atMost(PATIENCE).until(registrantLost::get); // the client gave its session up
        assertThat(cache.stats().degraded()).isTrue();
        assertThat(set(cache.instances())).containsExactlyInAnyOrder(a, b);

        zookeeper.restart();
        await().atMost(PATIENCE).until(() -> {
            Stat stat = observer.curator().checkExists().forPath(NAMESPACE + "/" + service + "/" + a.id());
            return stat != null && stat.getEphemeralOwner() != oldSession
                    && stat.getEphemeralOwner() == registrant.curator().getZookeeperClient().getZooKeeper().getSessionId();
        });
        ServiceInstance c = ZooKeeperRegistryTest.instance(service, 9003);
        registrant.register(c);

        await().atMost(PATIENCE).until(() -> set(cache.instances()).equals(Set.of(a, b, c)));
        assertThat(cache.stats().degraded()).isFalse();
        assertThat(agreesWithAFreshRead(cache, service)).isTrue();
    }
}
