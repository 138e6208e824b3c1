package dev.bulwark.discovery.etcd;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.discovery.CorruptEntryCounts;
import dev.bulwark.discovery.ServiceDiscovery;
import dev.bulwark.discovery.ServiceInstance;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KV;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Large values under the prefix (each accepted by etcd) never stop discovery: a page that would
 * not fit one gRPC message is read in smaller pages, and a value too large to be an instance is
 * one corrupt entry, skipped and counted, while the valid instances beside it are served.
 */
class LargeValuesTest {
    /** Just under etcd's default request limit of 1.5 MiB. */
    private static final int LARGE = 1_450_000;

    @RegisterExtension
    static final EtcdServer ETCD = EtcdServer.create("large-values");

    private final String service = "svc-" + UUID.randomUUID().toString().substring(0, 8);

    private ServiceInstance instance(int port) {
        return ServiceInstance.builder(service, "127.0.0.1", port).registeredAt(Instant.parse("2025-01-31T12:00:00Z")).build();
    }

    private void putLarge(int count) throws Exception {
        KV kv = ETCD.jetcd().getKVClient();
        byte[] value = new byte[LARGE];
        Arrays.fill(value, (byte) 'x');
        List<CompletableFuture<?>> puts = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            puts.add(kv.put(Keys.bytes("/bulwark/services/" + service + "/large-" + i), ByteSequence.from(value)));
        }
        CompletableFuture.allOf(puts.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    }

    @Test
    void aFewLargeValuesAreSkippedAndCountedWhileValidOnesAreServed() throws Exception {
        try (EtcdRegistry registry = EtcdRegistry.connect(ETCD.config().build())) {
            registry.register(instance(8080));
            putLarge(3);

            assertThat(registry.list(service)).containsExactly(instance(8080));
            assertThat(registry.corruptEntries()).isEqualTo(new CorruptEntryCounts(3, 3));
            try (ServiceDiscovery discovery = ServiceDiscovery.builder(registry).build()) {
                assertThat(discovery.instances(service)).as("a new discovery gets the valid instance")
                        .containsExactly(instance(8080));
                assertThat(discovery.cache(service).stats().degraded()).isFalse();
            }
        }
    }

    @Test
    void valuesTooManyForOneMessageAreReadInSmallerPages() throws Exception {
        try (EtcdRegistry registry = EtcdRegistry.connect(ETCD.config().build())) {
            registry.register(instance(8080));
            registry.register(instance(8081));
            putLarge(48); // about 70 MB: over the 64 MiB a message may carry

            assertThat(registry.list(service)).containsExactlyInAnyOrder(instance(8080), instance(8081));
            assertThat(registry.corruptEntries().badKeys()).isEqualTo(48);
            assertThat(registry.listAll().get(service)).as("every service: other tests' large values too")
                    .containsExactlyInAnyOrder(instance(8080), instance(8081));
        }
    }
}
