package dev.bulwark.discovery.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bulwark.call.ClientPool;
import dev.bulwark.call.PoolEndpoint;
import dev.bulwark.discovery.DiscoveryPools;
import dev.bulwark.discovery.ServiceDiscovery;
import dev.bulwark.discovery.ServiceInstance;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A pool fed from a real etcd keeps its good instances whatever else is under the prefix: an
 * entry another tool wrote with a host no client can use is skipped as corrupt, and an instance
 * the application's client factory cannot make a client for costs only that instance.
 */
class DiscoveryFedPoolTest {
    @RegisterExtension
    static final EtcdServer ETCD = EtcdServer.create("fed-pool");

    @Test
    void badInstancesNeverKeepGoodOnesOutOfThePool() throws Exception {
        String service = "svc-" + UUID.randomUUID().toString().substring(0, 8);
        ETCD.jetcd().getKVClient().put(Keys.bytes("/bulwark/services/" + service + "/bad"), Keys.bytes(
                "{\"service\":\"" + service + "\",\"id\":\"bad\",\"host\":\"%%%bad\",\"port\":8080}"))
                .get(5, TimeUnit.SECONDS);
        try (EtcdRegistry registry = EtcdRegistry.connect(ETCD.config().build());
                ServiceDiscovery discovery = ServiceDiscovery.builder(registry).build();
                ClientPool<URI> pool = ClientPool.<URI>builder("fed").build()) {
            ServiceInstance m = ServiceInstance.builder(service, "127.0.0.1", 8080).id("m")
                    .registeredAt(Instant.parse("2025-01-31T12:00:00Z")).build();
            ServiceInstance refused = ServiceInstance.builder(service, "127.0.0.2", 8080).id("refused")
                    .registeredAt(Instant.parse("2025-01-31T12:00:00Z")).build();
            registry.register(m);
            registry.register(refused);

            DiscoveryPools.Binding binding = DiscoveryPools.bind(pool, discovery, service, instance -> {
                if (instance.id().equals("refused")) {
                    throw new IllegalArgumentException("no route to " + instance.address());
                }
                return URI.create("http://" + instance.address() + "/");
            });

            assertThat(pool.endpoints()).extracting(PoolEndpoint::name).containsExactly("m");
            assertThat(binding.skipped()).containsExactly("refused");
            assertThat(registry.corruptEntries().badKeys()).as("the entry with an unusable host").isEqualTo(1);

            ServiceInstance later = ServiceInstance.builder(service, "127.0.0.3", 8080).id("later")
                    .registeredAt(Instant.parse("2025-01-31T12:00:00Z")).build();
            registry.register(later);
            await().atMost(Duration.ofSeconds(10)).until(() -> pool.endpoint("later").isPresent());
            assertThat(pool.endpoints()).extracting(PoolEndpoint::name).containsExactlyInAnyOrder("m", "later");
            binding.close();
        }
    }
}
