package dev.bulwark.discovery.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bulwark.discovery.CacheStats;
import dev.bulwark.discovery.DiscoveryCache;
import dev.bulwark.discovery.RegistryConfig;
import dev.bulwark.discovery.RegistryEvent;
import dev.bulwark.discovery.ServiceInstance;
import dev.bulwark.testing.VirtualScheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The etcd server killed and restarted under a running watch, a discovery cache and a client's
 * leases. The watching client times its retries on a virtual clock, so each test decides when
 * the lost watch may come back: changes made after etcd is up again but before that moment are
 * exactly the ones a careless resume would skip.
 */
class EtcdOutageTest {
    private static final Duration PATIENCE = Duration.ofSeconds(20);

    @RegisterExtension
    static final EtcdServer ETCD = EtcdServer.create("outage");

    private final VirtualScheduler retries = new VirtualScheduler();
    private final String service = "svc-" + UUID.randomUUID().toString().substring(0, 8);
    private final RegistryConfig config = ETCD.config().build();
    private EtcdRegistry watcher;

    @BeforeEach
    void connect() {
        ETCD.start(); // a previous test may have left it down
        watcher = EtcdRegistry.connect(config, retries);
    }

    @AfterEach
    void close() {
        watcher.close();
        assertThat(retries.taskFailures()).isEmpty();
    }

    private ServiceInstance instance(int port) {
        return ServiceInstance.builder(service, "127.0.0.1", port).registeredAt(Instant.parse("2025-01-31T12:00:00Z")).build();
    }

    /** Changes made by a new client (one that never saw etcd die, so it is not waiting out a reconnect backoff). */
    private void change(Consumer<EtcdRegistry> changes) {
        try (EtcdRegistry client = EtcdRegistry.connect(config)) {
            changes.accept(client);
        }
    }

    private List<ServiceInstance> freshRead() {
        try (EtcdRegistry client = EtcdRegistry.connect(config)) {
            return client.list(service);
        }
    }

    /** Moves the watcher's retry clock until its watch is back (each try may still meet a closed connection). */
    private void letTheWatchResume(Recorder recorder, int resumes) {
        await().atMost(PATIENCE).pollInterval(Duration.ofMillis(200)).until(() -> {
            retries.advance(Duration.ofSeconds(3));
            return recorder.signals.stream().filter(s -> s.startsWith("resumed")).count() >= resumes;
        });
    }

    private static Set<ServiceInstance> set(List<ServiceInstance> instances) {
        return new HashSet<>(instances);
    }

    @Test
    void aWatchResumesFromTheRevisionAfterTheLastItDeliveredAndMissesNothing() {
        Recorder recorder = new Recorder();
        ServiceInstance a = instance(9001);
        ServiceInstance b = instance(9002);
        ServiceInstance a2 = a.toBuilder().weight(5).build();
        watcher.watch(service, recorder);
        change(c -> c.register(a));
        await().atMost(PATIENCE).until(() -> recorder.events.size() == 1);

        ETCD.kill();
        await().atMost(PATIENCE).until(() -> recorder.signals.contains("disconnected"));
        ETCD.start();
        change(c -> {          // etcd is back, the watch is not yet
            c.register(b);
            c.update(a2);
            c.deregister(service, a.id());
        });
        assertThat(recorder.events).hasSize(1);
        letTheWatchResume(recorder, 1);

        await().atMost(PATIENCE).until(() -> recorder.events.size() >= 4);
        assertThat(recorder.events).extracting(RegistryEvent::type).containsExactly(RegistryEvent.Type.CREATED,
                RegistryEvent.Type.CREATED, RegistryEvent.Type.UPDATED, RegistryEvent.Type.DELETED);
        assertThat(recorder.events).extracting(RegistryEvent::instance).containsExactly(a, b, a2, a2);
        assertThat(recorder.signals).containsExactly("disconnected", "resumed:true");

        ServiceInstance c3 = instance(9003);
        change(c -> c.register(c3)); // and the resumed watch goes on
        await().atMost(PATIENCE).until(() -> recorder.events.size() == 5);
        assertThat(recorder.events.get(4)).isEqualTo(RegistryEvent.created(c3));
    }

    @Test
    void aDiscoveryCacheServesTheLastKnownInstancesThroughAnOutageAndCatchesUpThroughTheResumedWatch() {
        VirtualScheduler cacheTime = new VirtualScheduler();
        ServiceInstance a = instance(9001);
        ServiceInstance b = instance(9002);
        change(c -> {
            c.register(a);
            c.register(b);
        });
        Recorder recorder = new Recorder();
        watcher.watch(service, recorder); // a witness of the same client's watch state
        try (DiscoveryCache cache = DiscoveryCache.builder(watcher, service).scheduler(cacheTime)
                .resyncEvery(Duration.ofSeconds(1)).build().start()) {
            assertThat(set(cache.instances())).containsExactlyInAnyOrder(a, b);

            ETCD.kill();
            await().atMost(PATIENCE).until(() -> cache.stats().degraded());
            cacheTime.advance(Duration.ofSeconds(1)); // a full read falls due, and fails
            CacheStats down = cache.stats();
            assertThat(down.degraded()).isTrue();
            assertThat(down.errors()).isGreaterThanOrEqualTo(2); // the lost watch and the failed read
            assertThat(set(cache.instances())).as("the last known instances, served stale").containsExactlyInAnyOrder(a, b);
            assertThat(cache.stats().staleServes()).isPositive();

            ETCD.start();
            ServiceInstance c3 = instance(9003);
            change(c -> {      // etcd is back, the watch is not yet: these must not be lost
                c.register(c3);
                c.deregister(service, a.id());
            });
            long refreshes = cache.stats().refreshes();
            // Only the registry's retry clock moves: the cache reads nothing in full, so what it learns comes by the watch.
            letTheWatchResume(recorder, 1);
            await().atMost(PATIENCE).until(() -> set(cache.instances()).equals(Set.of(b, c3)));
            assertThat(cache.stats().refreshes()).isEqualTo(refreshes);
            assertThat(cache.stats().degraded()).isFalse();
            assertThat(set(cache.instances())).isEqualTo(set(freshRead()));

            ServiceInstance d = instance(9004);
            change(c -> {      // and changes after the resume keep coming
                c.register(d);
                c.deregister(service, b.id());
            });
            await().atMost(PATIENCE).until(() -> set(cache.instances()).equals(Set.of(c3, d)));
            assertThat(set(cache.instances())).isEqualTo(set(freshRead()));
            assertThat(recorder.signals).containsExactly("disconnected", "resumed:true");
        }
    }

    @Test
    void whenEtcdCompactedWhatTheWatchMissedTheCacheIsToldToReadInFull() throws Exception {
        VirtualScheduler cacheTime = new VirtualScheduler();
        ServiceInstance a = instance(9001);
        change(c -> c.register(a));
        Recorder recorder = new Recorder();
        watcher.watch(service, recorder);
        try (DiscoveryCache cache = DiscoveryCache.builder(watcher, service).scheduler(cacheTime).build().start()) {
            assertThat(cache.instances()).containsExactly(a);

            ETCD.kill();
            await().atMost(PATIENCE).until(() -> recorder.signals.contains("disconnected"));
            ETCD.start();
            ServiceInstance b = instance(9002);
            ServiceInstance c3 = instance(9003);
            change(c -> {
                c.register(b);
                c.deregister(service, a.id());
                c.register(c3);
            });
            long now = ETCD.jetcd().getKVClient().get(Keys.bytes("/")).get(5, TimeUnit.SECONDS).getHeader().getRevision();
            ETCD.jetcd().getKVClient().compact(now).get(5, TimeUnit.SECONDS); // the missed history is gone

            letTheWatchResume(recorder, 1);
            assertThat(recorder.signals).containsExactly("disconnected", "resumed:false");
            await().atMost(PATIENCE).until(() -> {
                cacheTime.runDue(); // the full read the cache scheduled on hearing resumed(false)
                return set(cache.instances()).equals(Set.of(b, c3));
            });
            assertThat(set(cache.instances())).isEqualTo(set(freshRead()));

            ServiceInstance d = instance(9004);
            change(c -> c.register(d)); // the watch resumed from now goes on
            await().atMost(PATIENCE).until(() -> cache.instances().contains(d));
        }
    }

    @Test
    void anIdleWatchFollowsTheRevisionSoItsResumeOutlivesACompactionOfOtherServicesHistory() throws Exception {
        Recorder recorder = new Recorder();
        EtcdWatch watch = (EtcdWatch) watcher.watch(service, recorder);
        change(c -> {            // the store's revision moves on, for another service only
            for (int port = 9001; port <= 9005; port++) {
                c.register(ServiceInstance.builder(service + "-other", "127.0.0.1", port).build());
            }
        });
        long now = ETCD.jetcd().getKVClient().get(Keys.bytes("/")).get(5, TimeUnit.SECONDS).getHeader().getRevision();
        await().atMost(PATIENCE).until(() -> watch.lastRevision() >= now); // etcd's progress notifications
        ETCD.jetcd().getKVClient().compact(now).get(5, TimeUnit.SECONDS);

        ETCD.restart();
        letTheWatchResume(recorder, 1);
        assertThat(recorder.signals).containsExactly("disconnected", "resumed:true");
        assertThat(recorder.events).isEmpty();
    }

    @Test
    void aWatchStartedWhileEtcdIsDownReportsItAndStartsWhenEtcdIsBack() {
        ETCD.kill();
        Recorder recorder = new Recorder();
        watcher.watch(service, recorder);
        await().atMost(PATIENCE).until(() -> recorder.signals.contains("disconnected"));
        ETCD.start();
        letTheWatchResume(recorder, 1);
        assertThat(recorder.signals).containsExactly("disconnected", "resumed:false"); // nothing known: read in full

        ServiceInstance a = instance(9001);
        change(c -> c.register(a));
        await().atMost(PATIENCE).until(() -> recorder.events.equals(List.of(RegistryEvent.created(a))));
    }

    @Test
    void leasesOutliveARestartOfEtcdAndComeBackIfTheyExpiredMeanwhile() {
        VirtualScheduler leaseTime = new VirtualScheduler();
        ServiceInstance mortal = instance(9001).toBuilder().ttl(Duration.ofSeconds(2)).build();
        try (EtcdRegistry owner = EtcdRegistry.connect(config, leaseTime)) {
            owner.register(mortal);

            // A short outage: the lease is still alive when the owner's retry (on its clock, moved as time passes) renews it.
            ETCD.kill();
            await().atMost(PATIENCE).until(() -> leaseTime.pendingTasks() > 0); // a renewal failed; its retry waits
            ETCD.start();
            await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(6)).pollInterval(Duration.ofMillis(200))
                    .until(() -> {
                        leaseTime.advance(Duration.ofMillis(500));
                        return freshRead().contains(mortal);
                    });

            // A long one, as the owner sees it: its retries wait on its clock until the lease has expired.
            Recorder recorder = new Recorder();
            watcher.watch(service, recorder);
            ETCD.kill();
            await().atMost(PATIENCE).until(() -> leaseTime.pendingTasks() > 0);
            ETCD.start();
            await().atMost(PATIENCE).until(() -> freshRead().isEmpty());
            await().atMost(PATIENCE).pollInterval(Duration.ofMillis(200)).until(() -> {
                leaseTime.advance(Duration.ofSeconds(1));
                return freshRead().contains(mortal);
            });
            letTheWatchResume(recorder, 1);
            await().atMost(PATIENCE).until(() -> recorder.events.size() >= 2);
            assertThat(recorder.events).extracting(RegistryEvent::type)
                    .containsExactly(RegistryEvent.Type.DELETED, RegistryEvent.Type.CREATED);
        }
        assertThat(leaseTime.taskFailures()).isEmpty();
    }
}
