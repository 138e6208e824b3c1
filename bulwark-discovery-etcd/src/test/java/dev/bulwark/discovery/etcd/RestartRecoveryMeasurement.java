package dev.bulwark.discovery.etcd;

import dev.bulwark.discovery.RegistryConfig;
import dev.bulwark.discovery.RegistryEvent;
import dev.bulwark.discovery.ServiceInstance;
import dev.bulwark.discovery.Watch;
import dev.bulwark.discovery.WatchListener;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How soon a client that lived through an etcd outage works again: etcd on loopback is killed for
 * 30 s and for 60 s while a client keeps calling it (as live traffic would), then started; the
 * time from etcd healthy to the client's first successful write, and to its watch resumed, and
 * whether its lease (TTL 20 s) was kept. Prints a Markdown table. Run with {@code scripts/bench etcd-restart}:
 * <pre>
 * mvn -q -pl bulwark-discovery-etcd test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=dev.bulwark.discovery.etcd.RestartRecoveryMeasurement
 * </pre>
 */
public final class RestartRecoveryMeasurement {
    private static final Duration TTL = Duration.ofSeconds(20);

    private RestartRecoveryMeasurement() {
    }

    public static void main(String[] args) throws Exception {
        System.out.println("| outage | writes back after | watch resumed after | lease kept |");
        System.out.println("|---:|---:|---:|---|");
        try (EtcdServer etcd = EtcdServer.create("restart-recovery").start()) {
            for (int seconds : new int[] {30, 60}) {
                measure(etcd, Duration.ofSeconds(seconds));
            }
        }
        System.exit(0);
    }

    private static void measure(EtcdServer etcd, Duration outage) throws Exception {
        String service = "svc-" + UUID.randomUUID().toString().substring(0, 8);
        RegistryConfig config = etcd.config().connectTimeout(Duration.ofSeconds(1)).build();
        ServiceInstance instance = ServiceInstance.builder(service, "127.0.0.1", 9001).ttl(TTL)
                .registeredAt(Instant.parse("2025-01-31T12:00:00Z")).build();
        AtomicLong resumedAt = new AtomicLong();
        try (EtcdRegistry registry = EtcdRegistry.connect(config)) {
            registry.register(instance);
            long lease = etcd.jetcd().getKVClient().get(Keys.bytes("/bulwark/services/" + service + "/" + instance.id()))
                    .get(5, TimeUnit.SECONDS).getKvs().get(0).getLease();
            Watch watch = registry.watch(service, new WatchListener() {
                @Override
                public void onEvent(RegistryEvent event) {
                }

                @Override
                public void onResumed(boolean complete) {
                    resumedAt.compareAndSet(0, System.nanoTime());
                }
            });
            etcd.kill();
            long ends = System.nanoTime() + outage.toNanos();
            while (System.nanoTime() < ends) {
                try {
                    registry.list(service);
                } catch (RuntimeException expected) {
                    // down
                }
                TimeUnit.MILLISECONDS.sleep(500);
            }
            etcd.start();
            long healthy = System.nanoTime();
            long writable = -1;
            while (System.nanoTime() - healthy < Duration.ofSeconds(60).toNanos()) {
                try {
                    registry.register(ServiceInstance.builder(service, "127.0.0.1", 9002)
                            .registeredAt(Instant.parse("2025-01-31T12:00:00Z")).build());
                    writable = System.nanoTime() - healthy;
                    break;
                } catch (RuntimeException notYet) {
                    TimeUnit.MILLISECONDS.sleep(20);
                }
            }
            while (resumedAt.get() == 0 && System.nanoTime() - healthy < Duration.ofSeconds(60).toNanos()) {
                TimeUnit.MILLISECONDS.sleep(20);
            }
            TimeUnit.SECONDS.sleep(TTL.toSeconds() + 2); // past a TTL from the restart: only renewals keep the key
            var now = etcd.jetcd().getKVClient().get(Keys.bytes("/bulwark/services/" + service + "/" + instance.id()))
                    .get(5, TimeUnit.SECONDS).getKvs();
            boolean kept = !now.isEmpty() && now.get(0).getLease() == lease;
            watch.close();
            System.out.printf("| %d s | %d ms | %d ms | %s |%n", outage.toSeconds(), writable / 1_000_000,
                    resumedAt.get() == 0 ? -1 : (resumedAt.get() - healthy) / 1_000_000, kept ? "yes" : "no");
        }
    }
}
