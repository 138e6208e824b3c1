package dev.bulwark.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.bulwark.InvalidConfigException;
import dev.bulwark.discovery.Health;
import dev.bulwark.discovery.InMemoryRegistry;
import dev.bulwark.discovery.ServiceDiscovery;
import dev.bulwark.discovery.ServiceInstance;
import dev.bulwark.http.test.TestHttpServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The service client against real HTTP servers on loopback, found through the in-memory registry:
 * the seed's API (call, callJson, get/post/put/delete), JSON both ways, headers per client and per
 * call, balancing across instances, following discovery, and errors that say what happened.
 */
class ServiceClientTest {
    private final InMemoryRegistry registry = InMemoryRegistry.create();
    private final ServiceDiscovery discovery = ServiceDiscovery.builder(registry).build();
    private final List<TestHttpServer> servers = new ArrayList<>();
    private ServiceClient client;

    private TestHttpServer server(String name) {
        TestHttpServer s = TestHttpServer.start(name);
        servers.add(s);
        s.register(registry, "users");
        return s;
    }

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        discovery.close();
        servers.forEach(TestHttpServer::close);
    }

    /** What /echo answers. */
    record Echo(String server, String method, String path, String body, Map<String, String> headers) {
    }

    @Test
    void theSeedsApiWorksWithJsonBothWays() {
        server("a");
        client = ServiceClient.builder(discovery).header("X-Caller", "tests").build();

        Echo got = client.callJson("users", "POST", "/echo?x=1", Map.of("name", "Ada"), Echo.class);
        assertThat(got.server()).isEqualTo("a");
        assertThat(got.method()).isEqualTo("POST");
        assertThat(got.path()).isEqualTo("/echo?x=1");
        assertThat(got.body()).isEqualTo("{\"name\":\"Ada\"}");
        assertThat(got.headers()).containsEntry("x-caller", "tests");

        assertThat(client.get("users", "/echo").status()).isEqualTo(200);
        assertThat(client.put("users", "/echo", List.of(1, 2)).text()).contains("\"method\":\"PUT\"").contains("[1,2]");
        assertThat(client.delete("users", "/echo").text()).contains("\"method\":\"DELETE\"");
        ServiceResponse posted = client.post("users", "/echo", Map.of("k", "v"));
        assertThat(posted.instance()).isEqualTo(servers.get(0).address());
        assertThat(posted.header("content-type")).contains("application/json");

        Map<String, Object> generic = client.json(ServiceRequest.get("users", "/echo").header("X-Request-Id", "r-1").build(),
                new TypeReference<Map<String, Object>>() { });
        assertThat(generic).containsEntry("server", "a");
        assertThat(generic.get("headers")).isEqualTo(Map.of("x-request-id", "r-1", "x-caller", "tests"));
    }

    @Test
    void callsSpreadOverInstancesAndFollowDiscovery() {
        server("a");
        server("b");
        registry.register(ServiceInstance.builder("users", "127.0.0.1", 1).id("grpc-one").protocol("grpc").build());
        client = ServiceClient.builder(discovery).balancer(dev.bulwark.balance.Strategy.ROUND_ROBIN).build();
        Map<String, Integer> by = spread(20);
        assertThat(by).as("round robin; the grpc instance never").containsOnly(Map.entry("a", 10), Map.entry("b", 10));

        TestHttpServer c = server("c");
        await().atMost(Duration.ofSeconds(5)).until(() -> client.endpoints("users").size() == 3);
        assertThat(spread(30)).containsKeys("a", "b", "c");

        registry.update(registry.get("users", "a").orElseThrow().withHealth(Health.DOWN));
        await().atMost(Duration.ofSeconds(5)).until(() -> client.endpoints("users").size() == 2);
        assertThat(spread(20)).doesNotContainKey("a");
        assertThat(c.calls()).isPositive();
    }

    private Map<String, Integer> spread(int calls) {
        Map<String, Integer> by = new HashMap<>();
        for (int i = 0; i < calls; i++) {
            by.merge(client.json(ServiceRequest.get("users", "/echo").build(), Echo.class).server(), 1, Integer::sum);
        }
        return by;
    }

    @Test
    void noInstanceSaysWhy() {
        client = ServiceClient.builder(discovery).build();
        assertThatThrownBy(() -> client.get("nobody", "/echo"))
                .isInstanceOfSatisfying(NoInstanceException.class, e -> {
                    assertThat(e.service()).isEqualTo("nobody");
                    assertThat(e.getMessage()).contains("none is registered");
                });
        registry.register(ServiceInstance.builder("sick", "127.0.0.1", 1).id("s1").health(Health.DOWN).build());
        assertThatThrownBy(() -> client.get("sick", "/echo"))
                .isInstanceOfSatisfying(NoInstanceException.class, e -> assertThat(e.getMessage()).contains("1 registered, none serving"));
        registry.register(ServiceInstance.builder("rpc", "127.0.0.1", 1).id("r1").protocol("grpc").build());
        assertThatThrownBy(() -> client.get("rpc", "/echo"))
                .isInstanceOfSatisfying(NoInstanceException.class, e -> assertThat(e.getMessage()).contains("none over http or https"));
    }

    @Test
    void anErrorStatusExplainsItself() {
        TestHttpServer a = server("a");
        client = ServiceClient.builder(discovery).build();
        assertThatThrownBy(() -> client.get("users", "/status/404"))
                .isInstanceOfSatisfying(HttpStatusException.class, e -> {
                    assertThat(e.status()).isEqualTo(404);
                    assertThat(e.service()).isEqualTo("users");
                    assertThat(e.instance()).isEqualTo(a.address());
                    assertThat(e.method()).isEqualTo("GET");
                    assertThat(e.path()).isEqualTo("/status/404");
                    assertThat(e.bodySnippet()).isEqualTo("status 404 from a");
                    assertThat(e.getMessage()).isEqualTo("GET users/status/404 answered 404 from " + a.address() + ": status 404 from a");
                });
        assertThat(a.calls()).as("a 404 is never retried").isEqualTo(1);
    }

    @Test
    void badRequestsAndSettingsFailNamingTheField() {
        assertThatThrownBy(() -> ServiceRequest.get("users", "echo"))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.field()).isEqualTo("path"));
        assertThatThrownBy(() -> ServiceRequest.get("users", "/a b"))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.field()).isEqualTo("path"));
        assertThatThrownBy(() -> ServiceRequest.method("GE T", "users", "/"))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.field()).isEqualTo("method"));
        assertThatThrownBy(() -> ServiceRequest.get("bad service", "/"))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.field()).isEqualTo("service"));
        assertThatThrownBy(() -> ServiceRequest.get("users", "/").header("X-Bad", "a\r\nInjected: yes"))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.field()).isEqualTo("header X-Bad"));
        assertThatThrownBy(() -> ServiceRequest.get("users", "/").json(Map.of()).build())
                .as("a GET with a body").isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.field()).isEqualTo("body"));
        assertThatThrownBy(() -> ServiceClient.builder(discovery).timeout(Duration.ZERO))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.field()).isEqualTo("timeout"));
        assertThatThrownBy(() -> ServiceClient.builder(discovery).maxCallsPerInstance(0))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.field()).isEqualTo("maxCallsPerInstance"));
        assertThatThrownBy(() -> ServiceClient.builder(discovery).timeout(Duration.ofSeconds(1)).attemptTimeout(Duration.ofSeconds(2)).build())
                .as("an attempt longer than its call").isInstanceOfSatisfying(InvalidConfigException.class,
                        e -> assertThat(e.field()).isEqualTo("attemptTimeout"));
        assertThat(ServiceRequest.post("users", "/").build().isIdempotent()).isFalse();
        assertThat(ServiceRequest.post("users", "/").header("Idempotency-Key", "k").build().isIdempotent()).isTrue();
        assertThat(ServiceRequest.delete("users", "/").build().isIdempotent()).isTrue();
        assertThat(ServiceRequest.put("users", "/").idempotent(false).build().isIdempotent()).isFalse();
    }
}
