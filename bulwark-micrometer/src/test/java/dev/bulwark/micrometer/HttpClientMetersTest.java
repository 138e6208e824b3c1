package dev.bulwark.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.bulwark.InvalidConfigException;
import dev.bulwark.discovery.InMemoryRegistry;
import dev.bulwark.discovery.ServiceDiscovery;
import dev.bulwark.discovery.ServiceInstance;
import dev.bulwark.http.HttpStatusException;
import dev.bulwark.http.ServiceClient;
import dev.bulwark.http.ServiceRequest;
import dev.bulwark.http.ServiceResponse;
import dev.bulwark.http.test.FaultServer;
import dev.bulwark.http.test.TestHttpServer;
import dev.bulwark.retry.Backoff;
import dev.bulwark.retry.Retry;
import dev.bulwark.timeout.CallTimeoutException;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The service client's exchanges with real HTTP servers, as meters: by service, method, status and outcome; in flight. */
class HttpClientMetersTest {
    private final InMemoryRegistry registry = InMemoryRegistry.create();
    private final ServiceDiscovery discovery = ServiceDiscovery.builder(registry).build();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private final TestHttpServer server = TestHttpServer.start("a");
    private ServiceClient client;

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        discovery.close();
        server.close();
    }

    private Timer timer(String service, String method, String status) {
        return meters.get(HttpClientMeters.REQUESTS).tags("service", service, "method", method, "status", status).timer();
    }

    @Test
    void eachExchangeIsTimedByServiceMethodStatusAndOutcome() {
        server.register(registry, "users");
        client = HttpClientMeters.create(meters).applyTo(ServiceClient.builder(discovery).noRetry()).build();

        client.get("users", "/echo");
        client.get("users", "/echo");
        assertThatThrownBy(() -> client.get("users", "/status/404")).isInstanceOf(HttpStatusException.class);
        assertThatThrownBy(() -> client.post("users", "/status/503", Map.of())).isInstanceOf(HttpStatusException.class);
        assertThatThrownBy(() -> client.send(ServiceRequest.get("users", "/slow?ms=3000").timeout(Duration.ofMillis(200)).build()))
                .isInstanceOf(CallTimeoutException.class);

        assertThat(timer("users", "GET", "200").count()).isEqualTo(2);
        assertThat(timer("users", "GET", "200").getId().getTag("outcome")).isEqualTo("SUCCESS");
        assertThat(timer("users", "GET", "404").count()).isEqualTo(1);
        assertThat(timer("users", "GET", "404").getId().getTag("outcome")).isEqualTo("CLIENT_ERROR");
        assertThat(timer("users", "POST", "503").count()).isEqualTo(1);
        assertThat(timer("users", "POST", "503").getId().getTag("outcome")).isEqualTo("SERVER_ERROR");
        Timer timedOut = timer("users", "GET", "TIMEOUT");
        assertThat(timedOut.count()).isEqualTo(1);
        assertThat(timedOut.getId().getTag("outcome")).isEqualTo("UNKNOWN");
        assertThat(timedOut.totalTime(TimeUnit.MILLISECONDS)).as("timed up to the limit").isGreaterThanOrEqualTo(150);
        assertThat(meters.get(HttpClientMeters.REQUESTS).timers()).as("one series per status seen, no more").hasSize(4);
    }

    @Test
    void everyAttemptIsAnExchangeAndARefusedConnectionHasNoStatus() {
        registry.register(ServiceInstance.builder("orders", "127.0.0.1", FaultServer.refusedPort()).id("refused").build());
        client = HttpClientMeters.create(meters).applyTo(ServiceClient.builder(discovery)
                .retry(Retry.builder("orders").maxAttempts(3).backoff(Backoff.fixed(Duration.ofMillis(1))).build()))
                .build();

        assertThatThrownBy(() -> client.get("orders", "/echo")).isNotNull();

        assertThat(timer("orders", "GET", "CONNECT_ERROR").count()).as("three attempts, one call").isEqualTo(3);
        server.register(registry, "users");
        server.failAll(503);
        assertThatThrownBy(() -> client.get("users", "/echo")).isInstanceOf(HttpStatusException.class);
        assertThat(timer("users", "GET", "503").count()).as("each attempt answered 503").isGreaterThanOrEqualTo(2);
    }

    @Test
    void theActiveGaugeCountsExchangesInFlight() {
        server.register(registry, "users");
        client = HttpClientMeters.create(meters).applyTo(ServiceClient.builder(discovery)).build();

        CompletableFuture<ServiceResponse> slow = client.sendAsync(ServiceRequest.get("users", "/slow?ms=700").build());
        await().atMost(Duration.ofSeconds(5))
                .until(() -> meters.get(HttpClientMeters.ACTIVE).tag("service", "users").gauge().value() == 1.0);
        assertThat(slow.join().status()).isEqualTo(200);
        // An async call's end is observed by a callback on the attempt's future, which may run just
        // after the caller's own future completed.
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(meters.get(HttpClientMeters.ACTIVE).tag("service", "users").gauge().value()).isZero();
            assertThat(timer("users", "GET", "200").count()).isEqualTo(1);
        });
    }

    @Test
    void aHistogramRangeThatCannotWorkIsRefused() {
        assertThatThrownBy(() -> HttpClientMeters.builder(meters).expectedDurations(Duration.ofSeconds(1), Duration.ofMillis(1)))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("expectedDurations.max");
    }
}
