package dev.bulwark.discovery.consul;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bulwark.discovery.DiscoveryCache;
import dev.bulwark.discovery.ServiceInstance;
import dev.bulwark.time.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The in-process TEST FAKE of Consul ({@link FakeConsul}) stops and comes back on the same port
 * while a {@link DiscoveryCache} watches through a {@link ConsulRegistry}: the cache serves what
 * it knew during the outage, says it is degraded, recovers, and afterwards agrees with a fresh
 * read, having missed no change. Everything runs in real time here: the outage is real.
 */
class ConsulFakeRestartTest {
    private static final Duration PATIENCE = Duration.ofSeconds(15);
    private final FakeConsul fake = FakeConsul.start(Scheduler.system());
    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
        fake.close();
    }

    private ConsulRegistry client(Duration sessionTimeout) {
        ConsulRegistry registry = ConsulRegistry.connect(Fakes.config(fake).sessionTimeout(sessionTimeout)
                .connectTimeout(Duration.ofSeconds(1)).build());
        closing.add(registry);
        return registry;
    }

    private DiscoveryCache cache(ConsulRegistry registry, String service) {
        DiscoveryCache cache = DiscoveryCache.builder(registry, service).resyncEvery(Duration.ofMillis(500))
                .confirmEmptyAfter(Duration.ofMillis(200)).build().start();
        closing.add(cache);
        return cache;
    }

    private static Set<ServiceInstance> set(List<ServiceInstance> instances) {
        return new HashSet<>(instances);
    }

    private boolean agreesWithAFreshRead(DiscoveryCache cache, String service) {
        try (ConsulRegistry fresh = ConsulRegistry.connect(Fakes.config(fake).build())) {
            return set(cache.instances()).equals(set(fresh.list(service)));
        }
    }

    @Test
    void fakeOutageIsBridgedByTheCacheAndLaterChangesReachIt() {
        ConsulRegistry registrant = client(Duration.ofSeconds(15));
        ConsulRegistry observer = client(Duration.ofSeconds(15));
        String service = Fakes.uniqueService();
        ServiceInstance a = Fakes.instance(service, 9001);
        ServiceInstance b = Fakes.instance(service, 9002);
        registrant.register(a);
        registrant.register(b);
        DiscoveryCache cache = cache(observer, service);
        await().atMost(PATIENCE).until(() -> cache.instances().size() == 2);

        fake.stop();
        await().atMost(PATIENCE).until(() -> cache.stats().degraded());
        long errorsAtStop = cache.stats().errors();
        await().atMost(PATIENCE).until(() -> cache.stats().errors() > errorsAtStop); // a resync failed too
        assertThat(set(cache.instances())).as("the last known instances, served stale").containsExactlyInAnyOrder(a, b);
        assertThat(cache.stats().staleServes()).isPositive();

        fake.restart();
        await().atMost(PATIENCE).until(() -> !cache.stats().degraded());
        ServiceInstance c = Fakes.instance(service, 9003);
        ServiceInstance heavier = b.toBuilder().weight(5).build();
        registrant.register(c);
        registrant.deregister(service, a.id());
        registrant.update(heavier);

        await().atMost(PATIENCE).until(() -> set(cache.instances()).equals(Set.of(heavier, c)));
        assertThat(agreesWithAFreshRead(cache, service)).isTrue();
    }

    @Test
    void fakeConsulThatLostItsDataGetsTheRegistrantsInstancesBackAndTheCacheConverges() {
        ConsulRegistry registrant = client(Duration.ofMillis(900)); // renewed every 300 ms
        ConsulRegistry observer = client(Duration.ofSeconds(15));
        String service = Fakes.uniqueService();
        ServiceInstance a = Fakes.instance(service, 9001);
        ServiceInstance b = Fakes.instance(service, 9002);
        registrant.register(a);
        registrant.register(b);
        DiscoveryCache cache = cache(observer, service);
        await().atMost(PATIENCE).until(() -> cache.instances().size() == 2);

        fake.stop();
        await().atMost(PATIENCE).until(() -> cache.stats().degraded());
        fake.forgetEverything();
        fake.restart();

        await().atMost(PATIENCE).until(() -> fake.hasService(a.id()) && fake.hasService(b.id()));
        ServiceInstance c = Fakes.instance(service, 9003);
        registrant.register(c);
        await().atMost(PATIENCE).until(() -> set(cache.instances()).equals(Set.of(a, b, c)));
        assertThat(cache.stats().degraded()).isFalse();
        assertThat(agreesWithAFreshRead(cache, service)).isTrue();
    }
}
