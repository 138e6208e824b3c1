package dev.bulwark.logging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.bulwark.breaker.CircuitBreaker;
import dev.bulwark.breaker.CircuitBreakerConfig;
import dev.bulwark.breaker.CircuitBreakers;
import dev.bulwark.config.DirectoryPolicySource;
import dev.bulwark.config.LivePolicies;
import dev.bulwark.discovery.DiscoveryCache;
import dev.bulwark.discovery.InMemoryRegistry;
import dev.bulwark.discovery.ServiceInstance;
import dev.bulwark.internal.Events;
import dev.bulwark.registry.PolicyRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import org.slf4j.event.KeyValuePair;

/** Bulwark's events beyond the breakers reach SLF4J with their fields, with this module merely present. */
class BulwarkEventsTest {
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
    private final Logger events = (Logger) LoggerFactory.getLogger("dev.bulwark.events");

    @TempDir
    Path center;

    @BeforeEach
    void attach() {
        lines.start();
        events.addAppender(lines);
    }

    @AfterEach
    void detach() {
        events.detachAppender(lines);
    }

    private List<Map<String, Object>> logged(String logger, String message) {
        return lines.list.stream().filter(e -> e.getLoggerName().equals(logger) && e.getFormattedMessage().equals(message))
                .map(e -> {
                    Map<String, Object> fields = new LinkedHashMap<>();
                    fields.put("level", e.getLevel().toString());
                    for (KeyValuePair pair : e.getKeyValuePairs() == null ? List.<KeyValuePair>of() : e.getKeyValuePairs()) {
                        fields.put(pair.key, pair.value);
                    }
                    return fields;
                }).toList();
    }

    /** Writes a document whole, as a publisher would: a poll never sees it half-written. */
    private static void writeWhole(Path file, String content) throws java.io.IOException {
        Path next = Files.writeString(file.resolveSibling(file.getFileName() + ".next"), content);
        Files.move(next, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    void policyUpdatesAndRefusalsAreEventsWithTheirFields() throws Exception {
        PolicyRegistry<CircuitBreaker, CircuitBreakerConfig> breakers = CircuitBreakers.registry(CircuitBreakerConfig.defaults());
        Path dir = Files.createDirectories(center.resolve("config/prod/orders/breakers"));
        try (DirectoryPolicySource source = DirectoryPolicySource.of(center, Duration.ofMillis(50));
                LivePolicies live = LivePolicies.breakers(breakers, source, "/config/prod/orders/breakers/")) {
            writeWhole(dir.resolve("grpc:user-service.json"), "{\"failureThreshold\": 8}");
            await().atMost(Duration.ofSeconds(10)).until(() -> !logged(Events.POLICY, "policy updated").isEmpty());
            assertThat(logged(Events.POLICY, "policy updated").get(0)).containsEntry("kind", "breakers")
                    .containsEntry("name", "grpc:user-service").containsEntry("level", "INFO").containsKey("revision");

            writeWhole(dir.resolve("grpc:user-service.json"), "{\"failureThreshold\": 0}");
            await().atMost(Duration.ofSeconds(10)).until(() -> !logged(Events.POLICY, "policy refused").isEmpty());
            assertThat(logged(Events.POLICY, "policy refused").get(0)).containsEntry("level", "WARN")
                    .containsEntry("name", "grpc:user-service")
                    .hasEntrySatisfying("reason", reason -> assertThat(String.valueOf(reason)).contains("failure"));
            assertThat(live.refusals()).isEqualTo(1);
        }
    }

    @Test
    void instancesAddedAndRemovedAreEventsWithTheirFields() {
        InMemoryRegistry registry = InMemoryRegistry.create();
        registry.register(ServiceInstance.builder("orders", "10.0.0.1", 8080).id("orders-1").build());
        try (DiscoveryCache cache = DiscoveryCache.builder(registry, "orders").build().start()) {
            registry.register(ServiceInstance.builder("orders", "10.0.0.2", 8080).id("orders-2").build());
            registry.deregister("orders", "orders-1");
            await().atMost(Duration.ofSeconds(10)).until(() -> !logged(Events.DISCOVERY, "instance removed").isEmpty());
            assertThat(logged(Events.DISCOVERY, "instance added")).extracting(f -> f.get("instance"))
                    .containsExactly("orders-1", "orders-2");
            assertThat(logged(Events.DISCOVERY, "instance added").get(1)).containsEntry("service", "orders")
                    .containsEntry("address", "10.0.0.2:8080");
            assertThat(logged(Events.DISCOVERY, "instance removed").get(0)).containsEntry("instance", "orders-1");
            assertThat(cache.instances()).extracting(ServiceInstance::id).containsExactly("orders-2");
        }

        for (int i = 0; i < 12; i++) {
            registry.register(ServiceInstance.builder("search", "10.0.1." + i, 8080).id("search-" + i).build());
        }
        try (DiscoveryCache cache = DiscoveryCache.builder(registry, "search").build().start()) {
            assertThat(logged(Events.DISCOVERY, "instances changed")).as("a large first read is one line").singleElement()
                    .satisfies(f -> assertThat(f).containsEntry("service", "search").containsEntry("added", 12));
            assertThat(logged(Events.DISCOVERY, "instance added")).noneMatch(f -> f.get("service").equals("search"));
        }
    }
}
