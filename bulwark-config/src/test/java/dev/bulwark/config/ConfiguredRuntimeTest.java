package dev.bulwark.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.bulwark.breaker.CircuitBreaker;
import dev.bulwark.breaker.State;
import dev.bulwark.call.ClientPool;
import dev.bulwark.bulkhead.Bulkhead;
import dev.bulwark.http.ServiceClient;
import dev.bulwark.http.test.TestHttpServer;
import dev.bulwark.retry.Retry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** One call builds the registry, discovery and named policies, which follow the config center; the HTTP client's service breakers are among them. */
class ConfiguredRuntimeTest {
    @TempDir
    Path center;

    @Test
    void everyKindOfPolicyFollowsTheCenterAndTheTransportsUseThem() throws Exception {
        BulwarkConfig config = BulwarkConfig.loader().yaml("""
                breakers:
                  default: {consecutive-failures: 5}
                retries:
                  default: {max-attempts: 2}
                bulkheads:
                  reports: {max-concurrent: 4}
                config-center:
                  type: directory
                  env: test
                  service: orders
                """, "app.yaml").environment(Map.of("BULWARK_CONFIG_CENTER_DIRECTORY", center.toString())).load();
        try (ConfiguredRuntime runtime = ConfiguredRuntime.start(config);
                TestHttpServer payments = TestHttpServer.start("payments")) {
            payments.register(runtime.registry(), "payment-api");
            try (ServiceClient http = HttpSettings.client(config, runtime.discovery()).serviceBreakers(runtime.breakers()).build()) {
                assertThat(http.get("payment-api", "/echo").status()).isEqualTo(200);
            }
            CircuitBreaker payment = runtime.breakers().find("http:payment-api").orElseThrow();
            Retry search = runtime.retries().get("search");
            Bulkhead reports = runtime.bulkheads().get("reports");
            assertThat(reports.config().maxConcurrent()).isEqualTo(4);
            assertThat(runtime.livePolicies()).hasSize(3);

            Path root = center.resolve("config/test/orders");
            Files.createDirectories(root.resolve("breakers"));
            Files.createDirectories(root.resolve("retries"));
            Files.createDirectories(root.resolve("bulkheads"));
            Files.writeString(root.resolve("breakers/http:payment-api.json"), "{\"failureThreshold\": 9}");
            Files.writeString(root.resolve("retries/search.json"), "{\"max-attempts\": 4}");
            Files.writeString(root.resolve("bulkheads/reports.json"), "{\"max-concurrent\": 8}");

            await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
                assertThat(payment.config().consecutiveFailures()).isEqualTo(9);
                assertThat(search.maxAttempts()).isEqualTo(4);
                assertThat(reports.config().maxConcurrent()).isEqualTo(8);
            });
        }
    }

    @Test
    void aPoolOfThePoolsSectionRunsTheLivePoliciesItNames() throws Exception {
        BulwarkConfig config = BulwarkConfig.loader().yaml("""
                breakers:
                  inventory: {consecutive-failures: 3}
                  per-endpoint: {consecutive-failures: 2}
                retries:
                  inventory: {max-attempts: 3, backoff: none}
                bulkheads:
                  inventory: {max-concurrent: 2}
                timeouts:
                  inventory: 2s
                pools:
                  inventory:
                    balancer: round_robin
                    breaker: inventory
                    endpoint-breaker: per-endpoint
                    retry: inventory
                    bulkhead: inventory
                    timeout: inventory
                config-center:
                  type: directory
                  env: test
                  service: orders
                """, "app.yaml").environment(Map.of("BULWARK_CONFIG_CENTER_DIRECTORY", center.toString())).load();
        try (ConfiguredRuntime runtime = ConfiguredRuntime.start(config);
                ClientPool<String> pool = runtime.<String>pool("inventory").build()) {
            pool.add("broken", "broken");
            pool.add("fine", "fine");
            java.util.List<String> tried = new java.util.concurrent.CopyOnWriteArrayList<>();
            for (int i = 0; i < 6; i++) {
                String answer = pool.call((client, endpoint, ctx) -> {
                    tried.add(client);
                    if (client.equals("broken")) {
                        throw new IllegalStateException("down");
                    }
                    return client;
                });
                assertThat(answer).as("the retry fails over").isEqualTo("fine");
            }
            assertThat(tried).filteredOn("broken"::equals).as("the endpoint breaker opens after 2 failures").hasSize(2);

            Path breakers = center.resolve("config/test/orders/breakers");
            Files.createDirectories(breakers);
            Files.writeString(breakers.resolve("inventory.json"), "{\"failureThreshold\": 1}");
            CircuitBreaker poolBreaker = runtime.breakers().get("inventory");
            await().atMost(Duration.ofSeconds(15)).until(() -> poolBreaker.config().consecutiveFailures() == 1);
            assertThatThrownBy(() -> pool.call((client, endpoint, ctx) -> {
                throw new Permanent("refused");
            })).hasMessageContaining("refused");
            assertThat(poolBreaker.state()).as("the pool's breaker is the live one the center changed").isEqualTo(State.OPEN);
            assertThatThrownBy(() -> runtime.pool("inventroy")).isInstanceOf(dev.bulwark.InvalidConfigException.class)
                    .hasMessageContaining("inventroy").hasMessageContaining("[inventory]");
        }
    }

    /** A failure no retry repeats. */
    private static final class Permanent extends RuntimeException implements dev.bulwark.Permanent {
        Permanent(String message) {
            super(message);
        }
    }
}
