package dev.bulwark.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bulwark.breaker.CircuitBreaker;
import dev.bulwark.breaker.CircuitBreakerConfig;
import dev.bulwark.breaker.State;
import dev.bulwark.registry.PolicyRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Breakers following policy documents in Consul's key-value store. No Consul server can be
 * installed on this machine, so the tests run against {@link FakeConsulKv}, an in-process fake of
 * the KV API; with {@code CONSUL_HTTP_ADDR=host:port} set they run against that real Consul
 * instead (under a prefix of their own).
 */
class ConsulLivePoliciesTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String REAL = System.getenv("CONSUL_HTTP_ADDR");

    private final HttpClient http = HttpClient.newHttpClient();
    private FakeConsulKv fake;
    private URI address;
    private String dir;
    private ConsulPolicySource source;
    private PolicyRegistry<CircuitBreaker, CircuitBreakerConfig> breakers;
    private LivePolicies live;

    @BeforeEach
    void start() {
        if (REAL == null || REAL.isBlank()) {
            fake = FakeConsulKv.start();
            address = fake.address();
        } else {
            address = URI.create(REAL.startsWith("http") ? REAL : "http://" + REAL);
        }
        dir = LivePolicies.directory("/config", "test-" + UUID.randomUUID().toString().substring(0, 8), "orders", "breakers");
        source = ConsulPolicySource.connect(address, Duration.ofSeconds(2));
        breakers = BulwarkConfig.defaults().breakers();
        live = LivePolicies.breakers(breakers, source, dir);
    }

    @AfterEach
    void stop() {
        live.close();
        source.close();
        if (fake != null) {
            fake.close();
        }
    }

    private void put(String name, String json) throws IOException, InterruptedException {
        send(HttpRequest.newBuilder(key(name)).PUT(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    private void delete(String name) throws IOException, InterruptedException {
        send(HttpRequest.newBuilder(key(name)).DELETE().build());
    }

    private URI key(String name) {
        return URI.create(address + "/v1/kv" + dir + name + ".json");
    }

    private void send(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    }

    @Test
    void changesBadChangesAndDeletesReachTheLiveBreaker() throws Exception {
        CircuitBreaker users = breakers.get("grpc:user-service");
        users.forceOpen();

        put("grpc:user-service", "{\"failureThreshold\": 8, \"openStateTimeout\": \"2m\"}");
        await().atMost(WAIT).until(() -> users.config().consecutiveFailures() == 8);
        assertThat(users.state()).isEqualTo(State.FORCED_OPEN);

        put("grpc:user-service", "{\"failureThreshold\": 0}");
        await().atMost(WAIT).until(() -> live.refusals() == 1);
        assertThat(users.config().consecutiveFailures()).isEqualTo(8);

        delete("grpc:user-service");
        await().atMost(WAIT).until(() -> users.config().consecutiveFailures() == CircuitBreakerConfig.defaults().consecutiveFailures());
    }

    @Test
    void changesMadeWhileConsulWasAwayArriveAndNoneIsLost() throws Exception {
        if (fake == null) {
            return; // a real Consul is not ours to stop
        }
        put("a", "{\"consecutive-failures\": 11}");
        put("b", "{\"consecutive-failures\": 12}");
        await().atMost(WAIT).until(() -> live.statuses().size() == 2);

        fake.stop();
        fake.put(dir.substring(1) + "a.json", "{\"consecutive-failures\": 21}");
        fake.delete(dir.substring(1) + "b.json");
        fake.put(dir.substring(1) + "c.json", "{\"consecutive-failures\": 23}");
        fake.restart();

        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(breakers.get("a").config().consecutiveFailures()).isEqualTo(21);
            assertThat(breakers.get("b").config().consecutiveFailures()).isEqualTo(CircuitBreakerConfig.defaults().consecutiveFailures());
            assertThat(breakers.get("c").config().consecutiveFailures()).isEqualTo(23);
        });
        assertThat(live.statuses()).containsOnlyKeys("a", "c");
    }
}
