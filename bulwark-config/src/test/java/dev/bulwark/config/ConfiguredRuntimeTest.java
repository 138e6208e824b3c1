package dev.bulwark.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bulwark.breaker.CircuitBreaker;
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
}
