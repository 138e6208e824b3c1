package dev.bulwark.discovery.nacos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.alibaba.nacos.api.naming.pojo.Instance;
import dev.bulwark.discovery.DiscoveryCache;
import dev.bulwark.discovery.Health;
import dev.bulwark.discovery.RegistryConfig;
import dev.bulwark.discovery.RegistryEvent;
import dev.bulwark.discovery.RegistryException;
import dev.bulwark.discovery.ServiceInstance;
import dev.bulwark.discovery.WatchListener;
import dev.bulwark.testing.VirtualScheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * NacosRegistry's own logic over {@link FakeNacos}: how it publishes, reads its own writes, turns
 * pushes into events, skips corrupt instances and reports lost connections. Events arrive on the
 * registry's event thread, so tests await them; time (the settle period, connection checks, the
 * discovery cache's confirming read) is virtual.
 */
class NacosRegistryTest {
    private static final Instant REGISTERED = Instant.parse("2026-01-01T00:00:00Z");
    private static final Duration AWAIT = Duration.ofSeconds(10);

    private final VirtualScheduler scheduler = new VirtualScheduler();
    private final FakeNacos server = new FakeNacos();
    private NacosRegistry registry = connect("true");

    private NacosRegistry connect(String ephemeral) {
        return NacosRegistry.over(server.naming(), RegistryConfig.builder(RegistryConfig.NACOS).endpoints("127.0.0.1:8848")
                .option("ephemeral", ephemeral).build(), scheduler);
    }

    private static ServiceInstance instance(int port) {
        return ServiceInstance.builder("users", "127.0.0.1", port).id("users-" + port).version("1.0").registeredAt(REGISTERED).build();
    }

    /** The instance as another Bulwark client would have registered it. */
    private static Instance registeredElsewhere(ServiceInstance instance, boolean ephemeral) {
        return InstanceMapping.toNacos(instance, "DEFAULT", ephemeral);
    }

    private List<RegistryEvent> watch(String service) {
        List<RegistryEvent> events = new CopyOnWriteArrayList<>();
        registry.watch(service, events::add);
        return events;
    }

    @AfterEach
    void close() {
        registry.close();
        assertThat(scheduler.taskFailures()).isEmpty();
    }

    @Test
    void allOfAServicesOwnInstancesArePublishedTogether() {
        registry.register(instance(1));
        registry.register(instance(2));
        assertThat(server.published("users")).extracting(Instance::getPort).containsExactlyInAnyOrder(1, 2);

        registry.register(instance(2).toBuilder().weight(4).build());
        assertThat(server.published("users")).extracting(Instance::getWeight).containsExactlyInAnyOrder(1.0, 4.0);

        registry.deregister("users", instance(1).id());
        assertThat(server.published("users")).extracting(Instance::getPort).containsExactly(2);
        registry.deregister("users", instance(2).id());
        assertThat(server.published("users")).isEmpty();
    }

    @Test
    void ownWritesAreReadAtOnceThoughTheServerAnswersFromAnOldSnapshot() {
        ServiceInstance a = instance(1);
        registry.register(a);
        server.freezeReads(true); // the server's read snapshot lags from here on
        ServiceInstance b = instance(2);
        registry.register(b);
        registry.deregister("users", a.id());
        assertThat(registry.list("users")).containsExactly(b);
        assertThat(registry.get("users", a.id())).isEmpty();
        assertThat(registry.listAll()).containsOnlyKeys("users");

        scheduler.advance(NacosSettings.DEFAULT_SETTLE);
        assertThat(registry.list("users")).as("once settled, the server's answer stands alone").containsExactly(a);
        server.freezeReads(false);
        assertThat(registry.list("users")).containsExactly(b);
    }

    @Test
    void aWatchReportsTheDifferencesBetweenPushes() {
        ServiceInstance a = instance(1);
        ServiceInstance b = instance(2);
        server.put("users", registeredElsewhere(a, true));
        List<RegistryEvent> events = watch("users");

        server.put("users", registeredElsewhere(b, true));
        server.push("users");
        await().atMost(AWAIT).until(() -> events.size() == 1);
        assertThat(events).containsExactly(RegistryEvent.created(b));

        server.push("users"); // the same list again: nothing to report
        ServiceInstance a2 = a.toBuilder().weight(3).build();
        server.push("users", List.of(registeredElsewhere(a2, true), registeredElsewhere(b, true)));
        server.push("users", List.of(registeredElsewhere(a2, true)));
        await().atMost(AWAIT).until(() -> events.size() == 3);
        assertThat(events).containsExactly(RegistryEvent.created(b), RegistryEvent.updated(a2), RegistryEvent.deleted("users", b.id(), b));
    }

    @Test
    void ownChangesReachTheWatchWithoutWaitingForAPush() {
        List<RegistryEvent> events = watch("users");
        ServiceInstance a = instance(1);
        registry.register(a);
        ServiceInstance updated = a.toBuilder().health(Health.DOWN).build();
        registry.update(updated);
        registry.deregister("users", a.id());
        await().atMost(AWAIT).until(() -> events.size() == 3);
        server.push("users"); // the server's push agrees: nothing more
        scheduler.advance(NacosSettings.DEFAULT_SETTLE.plusMillis(1));
        List<RegistryEvent> witness = watch("users");
        server.put("users", registeredElsewhere(instance(9), true));
        server.push("users");
        await().atMost(AWAIT).until(() -> witness.size() == 1);
        assertThat(events).containsExactly(RegistryEvent.created(a), RegistryEvent.updated(updated),
                RegistryEvent.deleted("users", a.id(), updated), RegistryEvent.created(instance(9)));
    }

    @Test
    void anEmptyPushIsReportedAsEveryInstanceDeleted() {
        ServiceInstance a = instance(1);
        ServiceInstance b = instance(2);
        server.put("users", registeredElsewhere(a, true));
        server.put("users", registeredElsewhere(b, true));
        List<RegistryEvent> events = watch("users");
        server.push("users", List.of());
        await().atMost(AWAIT).until(() -> events.size() == 2);
        assertThat(events).containsExactlyInAnyOrder(RegistryEvent.deleted("users", a.id(), a), RegistryEvent.deleted("users", b.id(), b));
    }

    @Test
    void theDiscoveryCacheKeepsItsListThroughAnEmptyPushWhileTheServerStillHasTheInstances() {
        List<ServiceInstance> all = List.of(instance(1), instance(2), instance(3));
        all.forEach(i -> server.put("users", registeredElsewhere(i, true)));
        try (DiscoveryCache cache = DiscoveryCache.builder(registry, "users").scheduler(scheduler)
                .confirmEmptyAfter(Duration.ofSeconds(1)).build().start()) {
            assertThat(cache.instances()).containsExactlyInAnyOrderElementsOf(all);
            List<RegistryEvent> witness = watch("users"); // subscribed after the cache: hears the push after it

            server.push("users", List.of()); // Nacos's empty push; the server still holds all three
            await().atMost(AWAIT).until(() -> witness.size() == 3);
            assertThat(witness).extracting(RegistryEvent::type).containsOnly(RegistryEvent.Type.DELETED);
            assertThat(cache.instances()).as("the wipe is refused until a read confirms it").isNotEmpty();
            assertThat(cache.stats().emptyWipesRefused()).isEqualTo(1);

            scheduler.advance(Duration.ofSeconds(1)); // the confirming read finds all three
            assertThat(cache.instances()).containsExactlyInAnyOrderElementsOf(all);
        }
    }

    @Test
    void corruptInstancesAreSkippedAndCountedInReadsAndPushes() {
        ServiceInstance good = instance(1);
        Instance corrupt = registeredElsewhere(instance(2), true);
        corrupt.getMetadata().put(InstanceMapping.HEALTH, "SICK");
        server.put("users", registeredElsewhere(good, true));
        server.put("users", corrupt);

        assertThat(registry.list("users")).containsExactly(good);
        assertThat(registry.corruptEntries()).isEqualTo(new dev.bulwark.discovery.CorruptEntryCounts(1, 1));

        List<RegistryEvent> events = watch("users"); // its first read skips it too
        server.put("users", registeredElsewhere(instance(3), true));
        server.push("users");
        await().atMost(AWAIT).until(() -> events.size() == 1);
        assertThat(events).containsExactly(RegistryEvent.created(instance(3)));
        assertThat(registry.corruptEntries()).as("one bad instance, met by three reads")
                .isEqualTo(new dev.bulwark.discovery.CorruptEntryCounts(1, 3));
    }

    @Test
    void onlyTheClientThatRegisteredAnEphemeralInstanceCanChangeIt() {
        ServiceInstance theirs = instance(1);
        server.put("users", registeredElsewhere(theirs, true));
        assertThatThrownBy(() -> registry.deregister("users", theirs.id()))
                .isInstanceOf(RegistryException.class).hasMessageContaining("another Nacos client");
        assertThatThrownBy(() -> registry.update(theirs.toBuilder().weight(2).build()))
                .isInstanceOf(RegistryException.class).hasMessageContaining("another Nacos client");
        assertThat(registry.list("users")).containsExactly(theirs);
    }

    @Test
    void persistentInstancesCanBeChangedByAnyClientAndMoveWithoutLeavingTheOldAddress() {
        registry.close();
        registry = connect("false");
        ServiceInstance theirs = instance(1);
        server.put("users", registeredElsewhere(theirs, false));
        ServiceInstance updated = theirs.toBuilder().version("2.0").build();
        registry.update(updated);
        assertThat(registry.list("users")).containsExactly(updated);

        ServiceInstance moved = ServiceInstance.builder("users", "127.0.0.2", 1).id(theirs.id()).registeredAt(REGISTERED).build();
        registry.register(moved);
        assertThat(server.instances("users")).extracting(Instance::getIp).containsExactly("127.0.0.2");
        registry.deregister("users", theirs.id());
        assertThat(server.instances("users")).isEmpty();
        assertThat(server.published("users")).as("nothing ephemeral").isEmpty();
    }

    @Test
    void aLostConnectionIsReportedAndItsReturnAsksForAFullRead() {
        List<String> news = new CopyOnWriteArrayList<>();
        registry.watch("users", new WatchListener() {
            @Override
            public void onEvent(RegistryEvent event) {
            }

            @Override
            public void onDisconnected(Throwable cause) {
                news.add("lost: " + cause.getMessage());
            }

            @Override
            public void onResumed(boolean complete) {
                news.add("resumed, complete=" + complete);
            }
        });
        server.status("DOWN");
        scheduler.advance(Duration.ofSeconds(1));
        await().atMost(AWAIT).until(() -> news.size() == 1);
        server.status("UP");
        await().atMost(AWAIT).until(() -> {
            scheduler.advance(Duration.ofSeconds(1)); // the next check runs once the last one rescheduled
            return news.size() == 2;
        });
        assertThat(news).containsExactly("lost: lost the connection to Nacos at 127.0.0.1:8848 (namespace public, group DEFAULT_GROUP)",
                "resumed, complete=false");
    }

    @Test
    void aClosedRegistryRefusesCallsAndItsInstancesGoWithIt() {
        registry.register(instance(1));
        registry.close();
        assertThat(server.instances("users")).isEmpty();
        assertThatThrownBy(() -> registry.list("users")).isInstanceOf(RegistryException.class).hasMessageContaining("closed");
    }
}
