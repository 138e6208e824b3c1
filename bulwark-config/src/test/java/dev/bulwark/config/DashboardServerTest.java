package dev.bulwark.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bulwark.discovery.ServiceInstance;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The dashboard's status endpoint, configured from the dashboard section, read over HTTP on loopback. */
class DashboardServerTest {
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path center;

    private JsonNode status(URI uri) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).contains("application/json");
        return new ObjectMapper().readTree(response.body());
    }

    @Test
    void theStatusShowsEachPolicyWithWhatTheCenterGaveItAndEachDiscoveredService() throws Exception {
        BulwarkConfig config = BulwarkConfig.loader().yaml("""
                breakers:
                  "http:payment-api": {consecutive-failures: 3}
                bulkheads:
                  reports: {max-concurrent: 4}
                config-center: {type: directory, env: test, service: orders}
                dashboard: {enabled: true, port: 0, path: /ops}
                """, "app.yaml").environment(Map.of("BULWARK_CONFIG_CENTER_DIRECTORY", center.toString())).load();
        try (ConfiguredRuntime runtime = ConfiguredRuntime.start(config);
                DashboardServer dashboard = DashboardServer.start(runtime).orElseThrow()) {
            assertThat(dashboard.statusUri().toString()).startsWith("http://127.0.0.1:").endsWith("/ops/status");
            runtime.breakers().get("http:payment-api").forceOpen();
            runtime.bulkheads().get("reports");
            runtime.registry().register(ServiceInstance.builder("inventory", "127.0.0.1", 8080).id("inventory-1").build());
            runtime.discovery().instances("inventory");
            Path breakers = Files.createDirectories(center.resolve("config/test/orders/breakers"));
            Path next = Files.writeString(breakers.resolve("x.next"), "{\"failureThreshold\": 0}");
            Files.move(next, breakers.resolve("http:payment-api.json"), StandardCopyOption.ATOMIC_MOVE);
            await().atMost(Duration.ofSeconds(10)).until(() -> runtime.livePolicies().get(0).refusals() == 1);

            JsonNode status = status(dashboard.statusUri());
            JsonNode payments = status.path("breakers").path("http:payment-api");
            assertThat(payments.path("state").asText()).isEqualTo("FORCED_OPEN");
            assertThat(payments.path("policy").asText()).contains("3");
            assertThat(payments.path("fromCenter").path("lastError").asText()).contains("failure");
            assertThat(status.path("bulkheads").path("reports").path("maxConcurrent").asInt()).isEqualTo(4);
            JsonNode inventory = status.path("discovery").path("inventory");
            assertThat(inventory.path("instances").asInt()).isEqualTo(1);
            assertThat(inventory.path("serving").asInt()).isEqualTo(1);
            assertThat(inventory.path("degraded").asBoolean()).isFalse();
            assertThat(status.path("configCenter").path("refusals").asLong()).isEqualTo(1);

            HttpResponse<String> post = http.send(HttpRequest.newBuilder(dashboard.statusUri())
                    .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(post.statusCode()).isEqualTo(405);
            assertThat(post.headers().firstValue("Allow")).contains("GET, HEAD");
            HttpResponse<String> elsewhere = http.send(HttpRequest.newBuilder(dashboard.statusUri().resolve("status/more")).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(elsewhere.statusCode()).isEqualTo(404);
        }
    }

    @Test
    void itIsOffUnlessEnabledAndItsAddressIsCheckedAtLoad() {
        try (ConfiguredRuntime runtime = ConfiguredRuntime.start(BulwarkConfig.defaults())) {
            assertThat(DashboardServer.start(runtime)).isEmpty();
        }
        ConfigException e = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class, () -> BulwarkConfig.loader()
                .yaml("dashboard: {enabled: true, path: \"ops/\", bind: \"my host\", port: 70000}\n", "app.yaml").load());
        assertThat(e.problems()).extracting(ConfigException.Problem::path)
                .containsExactlyInAnyOrder("dashboard.port");
        e = org.junit.jupiter.api.Assertions.assertThrows(ConfigException.class, () -> BulwarkConfig.loader()
                .yaml("dashboard: {enabled: true, path: \"ops/\", bind: \"my host\"}\n", "app.yaml").load());
        assertThat(e.problems()).extracting(ConfigException.Problem::path)
                .containsExactlyInAnyOrder("dashboard.path", "dashboard.bind");
        assertThat(e.getMessage()).contains("dashboard.path: ops/ (app.yaml line 1, col 34)");
    }
}
