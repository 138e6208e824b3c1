package dev.bulwark.discovery.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bulwark.discovery.RegistryConfig;
import dev.bulwark.discovery.RegistryEvent;
import dev.bulwark.discovery.ServiceInstance;
import dev.bulwark.discovery.Watch;
import dev.bulwark.discovery.WatchListener;
import io.etcd.jetcd.KeyValue;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A client that lived through an etcd outage, on the real clock: once etcd is healthy again, its
 * writes succeed and its watch resumes within a couple of seconds (not after gRPC's reconnect
 * backoff, which had grown to many seconds during the outage), and a lease whose TTL outlasts the
 * outage is renewed in time: the instance never leaves etcd, and keeps its lease.
 */
class EtcdRestartRecoveryTest {
    /** Long enough for gRPC's reconnect backoff to have grown past several seconds. */
    private static final Duration OUTAGE = Duration.ofSeconds(12);
    private static final Duration TTL = Duration.ofSeconds(15);
    private static final Duration PROMPTLY = Duration.ofSeconds(3);

    @RegisterExtension
    static final EtcdServer ETCD = EtcdServer.create("recovery");

    @Test
    void writesWatchAndLeasesComeBackPromptlyAfterAnOutageShorterThanTheTtl() throws Exception {
        String service = "svc-" + UUID.randomUUID().toString().substring(0, 8);
        RegistryConfig config = ETCD.config().connectTimeout(Duration.ofSeconds(1)).build();
        ServiceInstance instance = ServiceInstance.builder(service, "127.0.0.1", 9001).ttl(TTL)
                .registeredAt(Instant.parse("2025-01-31T12:00:00Z")).build();
        List<String> signals = new CopyOnWriteArrayList<>();
        try (EtcdRegistry registry = EtcdRegistry.connect(config)) {
            registry.register(instance);
            long lease = leaseOf(service, instance.id());
            Watch watch = registry.watch(service, new WatchListener() {
                @Override
                public void onEvent(RegistryEvent event) {
                    signals.add("event " + event.type() + " " + event.instanceId());
                }

                @Override
                public void onDisconnected(Throwable cause) {
                    signals.add("disconnected");
                }

                @Override
                public void onResumed(boolean complete) {
                    signals.add("resumed");
                }
            });

            ETCD.kill();
            long outageEnds = System.nanoTime() + OUTAGE.toNanos();
            while (System.nanoTime() < outageEnds) { // keep the client trying, as live traffic would
                try {
                    registry.list(service);
                } catch (RuntimeException expected) {
                    // etcd is down
                }
                TimeUnit.MILLISECONDS.sleep(500);
            }
            ETCD.start();
            long healthy = System.nanoTime();

            ServiceInstance second = ServiceInstance.builder(service, "127.0.0.1", 9002)
                    .registeredAt(Instant.parse("2025-01-31T12:00:00Z")).build();
            await().atMost(PROMPTLY).pollInterval(Duration.ofMillis(50)).ignoreExceptions()
                    .until(() -> {
                        registry.register(second);
                        return true;
                    });
            long writable = System.nanoTime() - healthy;
            await().atMost(PROMPTLY).pollInterval(Duration.ofMillis(50)).until(() -> signals.contains("resumed"));
            long resumed = System.nanoTime() - healthy;
            await().atMost(PROMPTLY).until(() -> signals.contains("event CREATED " + second.id()));

            // Past the TTL counted from the restart: only a renewal by this client keeps the key.
            TimeUnit.NANOSECONDS.sleep(Math.max(0, TTL.toNanos() + Duration.ofSeconds(2).toNanos() - (System.nanoTime() - healthy)));
            assertThat(leaseOf(service, instance.id())).as("the same lease, renewed: never lost").isEqualTo(lease);
            assertThat(signals).as("the instance never left etcd").doesNotContain("event DELETED " + instance.id());
            watch.close();
            System.out.printf("after a %d s outage: writes back %d ms and the watch %d ms after etcd was healthy%n",
                    OUTAGE.toSeconds(), writable / 1_000_000, resumed / 1_000_000);
        }
    }

    /** The lease of the instance's key, read by a new client; 0 if the key is gone. */
    private static long leaseOf(String service, String id) throws Exception {
        List<KeyValue> kvs = ETCD.jetcd().getKVClient().get(Keys.bytes("/bulwark/services/" + service + "/" + id))
                .get(5, TimeUnit.SECONDS).getKvs();
        return kvs.isEmpty() ? 0 : kvs.get(0).getLease();
    }
}
