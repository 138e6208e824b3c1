package dev.bulwark.discovery.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bulwark.discovery.CorruptEntryCounts;
import dev.bulwark.discovery.RegistryEvent;
import dev.bulwark.discovery.ServiceInstance;
import dev.bulwark.discovery.Watch;
import io.etcd.jetcd.KV;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Values written behind the registry's back that are no instance: skipped by every read and by
 * watches, counted, logged once per key, and never a crash.
 */
class CorruptValuesTest {
    @RegisterExtension
    static final EtcdServer ETCD = EtcdServer.create("corrupt");

    private final EtcdRegistry registry = EtcdRegistry.connect(ETCD.config().build());
    private final String service = "svc-" + UUID.randomUUID().toString().substring(0, 8);
    private final List<LogRecord> warnings = new CopyOnWriteArrayList<>();
    private final Logger logger = Logger.getLogger("dev.bulwark.discovery.etcd");
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                warnings.add(record);
            }
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
        }
    };

    @BeforeEach
    void captureWarnings() {
        logger.addHandler(capture);
    }

    @AfterEach
    void close() {
        logger.removeHandler(capture);
        registry.close();
    }

    private void put(String id, String value) throws Exception {
        KV kv = ETCD.jetcd().getKVClient();
        kv.put(Keys.bytes("/bulwark/services/" + service + "/" + id), Keys.bytes(value)).get(5, TimeUnit.SECONDS);
    }

    private void delete(String id) throws Exception {
        ETCD.jetcd().getKVClient().delete(Keys.bytes("/bulwark/services/" + service + "/" + id)).get(5, TimeUnit.SECONDS);
    }

    private ServiceInstance instance(int port) {
        return ServiceInstance.builder(service, "127.0.0.1", port).registeredAt(Instant.parse("2025-01-31T12:00:00Z")).build();
    }

    private long warningsAbout(String id) {
        return warnings.stream().filter(r -> r.getMessage().contains("/" + service + "/" + id + " ")).count();
    }

    @Test
    void readsSkipCountAndLogOnceEveryKindOfCorruptValue() throws Exception {
        ServiceInstance good = instance(8080);
        registry.register(good);
        Map<String, String> corrupt = Map.of(
                "not-json", "{{{ this is not json",
                "not-an-object", "[1, 2, 3]",
                "no-port", "{\"service\":\"" + service + "\",\"id\":\"no-port\",\"host\":\"10.0.0.1\"}",
                "port-as-text", "{\"service\":\"" + service + "\",\"id\":\"port-as-text\",\"host\":\"10.0.0.1\",\"port\":\"80\"}",
                "bad-health", "{\"service\":\"" + service + "\",\"id\":\"bad-health\",\"host\":\"h\",\"port\":80,\"health\":\"SICK\"}",
                "bad-port", "{\"service\":\"" + service + "\",\"id\":\"bad-port\",\"host\":\"h\",\"port\":70000}",
                "other-service", "{\"service\":\"other\",\"id\":\"other-service\",\"host\":\"h\",\"port\":80}",
                "other-id", "{\"service\":\"" + service + "\",\"id\":\"somebody-else\",\"host\":\"h\",\"port\":80}",
                "deeper/path", "{\"service\":\"" + service + "\",\"id\":\"deeper/path\",\"host\":\"h\",\"port\":80}");
        for (Map.Entry<String, String> e : corrupt.entrySet()) {
            put(e.getKey(), e.getValue());
        }

        assertThat(registry.list(service)).containsExactly(good);
        assertThat(registry.corruptEntries()).isEqualTo(new CorruptEntryCounts(corrupt.size(), corrupt.size()));
        assertThat(registry.listAll().get(service)).containsExactly(good);
        assertThat(registry.get(service, "not-json")).isEmpty();
        assertThat(registry.get(service, "other-id")).isEmpty();
        assertThat(registry.corruptEntries()).as("the same bad keys, met again by three more reads")
                .isEqualTo(new CorruptEntryCounts(corrupt.size(), 2L * corrupt.size() + 2));

        put("not-json", "{\"service\":\"" + service + "\",\"id\":\"not-json\",\"host\":\"h\",\"port\":80}");
        delete("bad-port");
        assertThat(registry.list(service)).hasSize(2);
        assertThat(registry.corruptEntries().badKeys()).as("one repaired, one deleted").isEqualTo(corrupt.size() - 2L);

        for (String id : corrupt.keySet()) {
            assertThat(warningsAbout(id)).as("warnings about %s", id).isEqualTo(1);
        }
        assertThat(warnings.stream().filter(r -> r.getMessage().contains("not-json")).findFirst().orElseThrow().getMessage())
                .contains("not JSON");
        assertThat(warnings.stream().filter(r -> r.getMessage().contains("/other-id ")).findFirst().orElseThrow().getMessage())
                .contains("somebody-else");
    }

    @Test
    void aWatchSkipsCorruptValuesAndTreatsACorruptedInstanceAsDeleted() throws Exception {
        List<RegistryEvent> events = new CopyOnWriteArrayList<>();
        Watch watch = registry.watch(service, events::add);
        try {
            ServiceInstance good = instance(8080);
            put("garbage", "not json at all");            // never announced
            registry.register(good);                      // CREATED
            put(good.id(), "{\"truncated\":");            // to readers it is gone: DELETED, as it last was
            delete(good.id());                            // its corrupt value was never announced: nothing
            delete("garbage");                            // nothing
            ServiceInstance marker = instance(8081);
            registry.register(marker);                    // CREATED: everything before it was processed

            await().atMost(Duration.ofSeconds(10)).until(() -> events.size() >= 3);
            assertThat(events).extracting(RegistryEvent::type).containsExactly(
                    RegistryEvent.Type.CREATED, RegistryEvent.Type.DELETED, RegistryEvent.Type.CREATED);
            assertThat(events.get(0).instance()).isEqualTo(good);
            assertThat(events.get(1).instance()).isEqualTo(good);
            assertThat(events.get(2).instance()).isEqualTo(marker);
            assertThat(registry.corruptEntries()).as("two bad values met, both deleted since")
                    .isEqualTo(new CorruptEntryCounts(0, 2));
            assertThat(registry.list(service)).containsExactly(marker);
        } finally {
            watch.close();
        }
    }
}
