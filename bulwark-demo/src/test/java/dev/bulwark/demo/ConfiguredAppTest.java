package dev.bulwark.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bulwark.breaker.CircuitBreaker;
import dev.bulwark.breaker.State;
import dev.bulwark.discovery.etcd.EtcdServer;
import io.etcd.jetcd.ByteSequence;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The configured application from its YAML and environment variables alone: a gRPC server and
 * channel and an HTTP client that answer, and a breaker changed live through a real etcd.
 */
class ConfiguredAppTest {
    @RegisterExtension
    static final EtcdServer etcd = EtcdServer.create("configured-app");

    @Test
    void startsFromYamlAndEnvironmentAndFollowsEtcd() throws Exception {
        Map<String, String> env = Map.of(
                "BULWARK_CONFIG_CENTER_TYPE", "etcd",
                "BULWARK_CONFIG_CENTER_ENDPOINTS", etcd.endpoint(),
                "BULWARK_CONFIG_CENTER_ENV", "test",
                "SERVER_RATE_LIMIT", "300",
                "CLIENT_RETRY_ATTEMPTS", "2");
        try (ConfiguredApp app = ConfiguredApp.start(ConfiguredApp.bundledYaml(), "configured-app.yaml", env)) {
            assertThat(app.config().value("server.rate-limit")).contains(300.0);
            assertThat(app.policyDirectory()).isEqualTo("/config/test/configured-app/breakers/");
            await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
                    .until(() -> app.callOnce().equals("configured-app: hello / HTTP 200"));

            CircuitBreaker catalog = app.breakers().get(ConfiguredApp.HTTP_BREAKER);
            assertThat(catalog.config().failureRate()).as("from the file").isEqualTo(50.0);
            catalog.forceOpen();
            etcd.jetcd().getKVClient().put(
                    ByteSequence.from(app.policyDirectory() + "http:catalog.json", StandardCharsets.UTF_8),
                    ByteSequence.from("{\"failureThreshold\": 2, \"successThreshold\": 3, \"openStateTimeout\": \"1m\"}",
                            StandardCharsets.UTF_8)).get(10, TimeUnit.SECONDS);

            await().atMost(Duration.ofSeconds(20)).until(() -> catalog.config().consecutiveFailures() == 2);
            assertThat(catalog.config().halfOpenSuccesses()).isEqualTo(3);
            assertThat(catalog.state()).as("changed live, state kept").isEqualTo(State.FORCED_OPEN);
            assertThat(app.breakers().get(ConfiguredApp.HTTP_BREAKER)).isSameAs(catalog);

            java.net.URI status = app.dashboardStatus().orElseThrow();
            String json = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(status).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
            com.fasterxml.jackson.databind.JsonNode breaker = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json)
                    .path("breakers").path(ConfiguredApp.HTTP_BREAKER);
            assertThat(breaker.path("state").asText()).as("the dashboard's status").isEqualTo("FORCED_OPEN");
            assertThat(breaker.path("fromCenter").path("key").asText()).endsWith("http:catalog.json");
        }
    }
}
