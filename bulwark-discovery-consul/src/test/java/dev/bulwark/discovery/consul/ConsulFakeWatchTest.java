package dev.bulwark.discovery.consul;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bulwark.discovery.RegistryEvent;
import dev.bulwark.discovery.ServiceInstance;
import dev.bulwark.discovery.Watch;
import dev.bulwark.discovery.WatchListener;
import dev.bulwark.testing.VirtualScheduler;
import dev.bulwark.time.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Watches through blocking queries on the health endpoint of the in-process TEST FAKE of Consul
 * ({@link FakeConsul}): they wait in Consul rather than poll, see other clients' changes and TTL
 * expiry, stop at once when closed, and survive outages, including a Consul that comes back
 * without its data and with its index started over.
 *
 * <p>The fake's TTLs run on a virtual scheduler moved by the tests; the registries time their
 * retries on the real one, as an outage takes real time here.
 */
class ConsulFakeWatchTest {
    private static final Duration PATIENCE = Duration.ofSeconds(10);
    private final VirtualScheduler fakeTime = new VirtualScheduler();
    private final FakeConsul fake = FakeConsul.start(fakeTime);
    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
        fake.close();
    }

    private ConsulRegistry client() {
        ConsulRegistry registry = ConsulRegistry.connect(Fakes.config(fake).build(), Scheduler.system());
        closing.add(registry);
        return registry;
    }

    private Recorder watch(ConsulRegistry registry, String service) {
        Recorder recorder = new Recorder();
        closing.add(registry.watch(service, recorder));
        return recorder;
    }

    @Test
    void fakeWatchWaitsInABlockingQueryAndWakesOnAChange() {
        ConsulRegistry registry = client();
        String service = Fakes.uniqueService();
        Recorder recorder = watch(registry, service);
        await().atMost(PATIENCE).until(() -> fake.blockedQueries() == 1);
        long queriesBefore = fake.requests("GET /v1/health/service/" + service);

        ServiceInstance a = Fakes.instance(service, 9001);
        client().register(a); // another client: nothing waits for this watch but the watch itself
        await().atMost(PATIENCE).until(() -> recorder.heard("CREATED " + a.id()));
        await().atMost(PATIENCE).until(() -> fake.blockedQueries() == 1);

        assertThat(fake.requests("GET /v1/health/service/" + service) - queriesBefore)
                .as("no polling: the only new request is the next blocking query").isEqualTo(1);
        assertThat(recorder.heard.get(0).event().instance()).isEqualTo(a);
    }

    @Test
    void fakeWatchSeesTtlExpiryAsADeletionAndARevivingHeartbeatAsACreation() {
        ConsulRegistry registry = client();
        String service = Fakes.uniqueService();
        Recorder recorder = watch(registry, service);
        ServiceInstance mortal = Fakes.instance(service, 9001).toBuilder().ttl(Duration.ofSeconds(5)).build();
        registry.register(mortal);

        fakeTime.advance(Duration.ofSeconds(6));
        await().atMost(PATIENCE).until(() -> recorder.heard("DELETED " + mortal.id()));
        registry.heartbeat(service, mortal.id()); // Consul still had it: the heartbeat brings it back
        await().atMost(PATIENCE).until(() -> recorder.lines().size() == 3);

        assertThat(recorder.lines()).containsExactly("CREATED " + mortal.id(), "DELETED " + mortal.id(), "CREATED " + mortal.id());
        assertThat(recorder.heard.get(1).event().instance()).as("a deletion carries the instance as it last was").isEqualTo(mortal);
    }

    @Test
    void fakeClosingAWatchEndsItsThreadWithoutWaitingForItsQueryToReturn() {
        ConsulRegistry registry = client();
        String service = Fakes.uniqueService();
        Watch watch = registry.watch(service, new Recorder());
        await().atMost(PATIENCE).until(() -> fake.blockedQueries() == 1 && watchThreads(service) == 1);

        watch.close();

        await("well before the 10 s wait of its query").atMost(Duration.ofSeconds(3)).until(() -> watchThreads(service) == 0);
    }

    private static long watchThreads(String service) {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("bulwark-consul-watch-" + service + "-")).count();
    }

    @Test
    void fakeWatchReportsTheOutageThenDeliversWhatChangedMeanwhileBeforeResuming() {
        ConsulRegistry registry = client();
        String service = Fakes.uniqueService();
        ServiceInstance mortal = Fakes.instance(service, 9001).toBuilder().ttl(Duration.ofSeconds(5)).build();
        ServiceInstance stays = Fakes.instance(service, 9002);
        registry.register(mortal);
        registry.register(stays);
        Recorder recorder = watch(registry, service);

        fake.stop();
        await().atMost(PATIENCE).until(() -> recorder.heard("disconnected"));
        fakeTime.advance(Duration.ofSeconds(6)); // mortal's check expires while nobody can ask
        fake.restart();

        await().atMost(PATIENCE).until(() -> recorder.heard("resumed(true)"));
        assertThat(recorder.lines()).containsExactly("disconnected", "DELETED " + mortal.id(), "resumed(true)");
    }

    @Test
    void fakeWatchStartedWhileConsulIsDownAsksForAFullReadWhenItComesBack() {
        ConsulRegistry registry = client();
        String service = Fakes.uniqueService();
        fake.stop();
        Recorder recorder = watch(registry, service);
        await().atMost(PATIENCE).until(() -> recorder.heard("disconnected"));

        fake.restart();
        await().atMost(PATIENCE).until(() -> recorder.heard("resumed(false)"));
        ServiceInstance a = Fakes.instance(service, 9001);
        registry.register(a);

        assertThat(recorder.lines()).containsExactly("disconnected", "resumed(false)", "CREATED " + a.id());
    }

    @Test
    void fakeWatchFollowsAnIndexThatWentBackwardsAfterConsulLostItsData() {
        ConsulRegistry registry = client();
        String service = Fakes.uniqueService();
        ServiceInstance a = Fakes.instance(service, 9001).toBuilder().ttl(Duration.ofSeconds(30)).build();
        ServiceInstance b = Fakes.instance(service, 9002).toBuilder().ttl(Duration.ofSeconds(30)).build();
        registry.register(a);
        Recorder recorder = watch(registry, service);

        fake.stop();
        await().atMost(PATIENCE).until(() -> recorder.heard("disconnected"));
        fake.forgetEverything();
        fake.restart();
        await().atMost(PATIENCE).until(() -> recorder.heard("resumed(true)"));
        registry.register(b); // at an index far below the one the watch last saw

        assertThat(recorder.lines()).containsExactly("disconnected", "DELETED " + a.id(), "resumed(true)", "CREATED " + b.id());
    }

    @Test
    void fakeListenerMayWriteThroughTheRegistryFromItsCallback() {
        ConsulRegistry registry = client();
        String service = Fakes.uniqueService();
        ServiceInstance first = Fakes.instance(service, 9001);
        ServiceInstance second = Fakes.instance(service, 9002);
        Recorder recorder = new Recorder();
        closing.add(registry.watch(service, new WatchListener() {
            @Override
            public void onEvent(RegistryEvent event) {
                recorder.onEvent(event);
                if (event.instanceId().equals(first.id())) {
                    registry.register(second); // on the watch's own thread: must not wait for itself
                }
            }
        }));

        registry.register(first);

        await().atMost(PATIENCE).until(() -> recorder.lines().size() == 2);
        assertThat(recorder.lines()).containsExactly("CREATED " + first.id(), "CREATED " + second.id());
    }
}
