package dev.bulwark.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.CallFailedException;
import dev.bulwark.breaker.CircuitBreakerConfig;
import dev.bulwark.breaker.State;
import dev.bulwark.discovery.InMemoryRegistry;
import dev.bulwark.discovery.ServiceDiscovery;
import dev.bulwark.discovery.ServiceInstance;
import dev.bulwark.http.internal.ResponseTooLargeException;
import dev.bulwark.http.test.FaultServer;
import dev.bulwark.http.test.TestHttpServer;
import dev.bulwark.retry.Backoff;
import dev.bulwark.retry.Retry;
import dev.bulwark.testing.tls.TestCertificates;
import dev.bulwark.timeout.CallTimeoutException;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every fault a real backend shows, against real loopback servers: a refused connection, a reset
 * in the middle of the body, headers that never come, a body that trickles past the limit, 503 and
 * 429 with Retry-After, 500, malformed JSON, a huge body, a redirect; and HTTPS. The healthy
 * instance beside a faulty one takes the retry; a request not safe to repeat is never sent twice
 * once it may have arrived.
 */
class FaultsTest {
    private final InMemoryRegistry registry = InMemoryRegistry.create();
    private final ServiceDiscovery discovery = ServiceDiscovery.builder(registry).build();
    private final List<AutoCloseable> servers = new ArrayList<>();
    private ServiceClient client;

    @TempDir
    Path dir;

    @AfterEach
    void stop() throws Exception {
        if (client != null) {
            client.close();
        }
        discovery.close();
        for (AutoCloseable s : servers) {
            s.close();
        }
    }

    private TestHttpServer healthy(String service) {
        TestHttpServer s = TestHttpServer.start("healthy");
        servers.add(s);
        s.register(registry, service);
        return s;
    }

    private FaultServer faulty(String service, FaultServer.Fault fault) {
        FaultServer f = FaultServer.start(fault);
        servers.add(f);
        registry.register(ServiceInstance.builder(service, "127.0.0.1", f.port()).id("faulty").protocol("http").build());
        return f;
    }

    private ServiceClient.Builder clientWithRetry() {
        return ServiceClient.builder(discovery).balancer(dev.bulwark.balance.Strategy.ROUND_ROBIN)
                .retry(Retry.builder("http").maxAttempts(3).backoff(Backoff.fixed(Duration.ofMillis(1))).build());
    }

    @Test
    void aRefusedConnectionIsRetriedElsewhereEvenForAPost() {
        healthy("svc");
        registry.register(ServiceInstance.builder("svc", "127.0.0.1", FaultServer.refusedPort()).id("refused").build());
        client = clientWithRetry().build();
        for (int i = 0; i < 10; i++) {
            assertThat(client.post("svc", "/echo", Map.of("i", i)).text()).contains("\"server\":\"healthy\"");
        }
        TestHttpServer h = (TestHttpServer) servers.get(0);
        assertThat(h.calls("POST", "/echo")).as("each POST arrived once").isEqualTo(10);
    }

    @Test
    void aResetMidBodyIsRetriedForAGetAndNeverForAPostThatMayHaveArrived() {
        TestHttpServer h = healthy("svc");
        FaultServer resetting = faulty("svc", FaultServer.Fault.RESET_MID_BODY);
        client = clientWithRetry().build();
        for (int i = 0; i < 6; i++) {
            assertThat(client.get("svc", "/echo").text()).contains("healthy");
        }
        assertThat(resetting.requests()).as("round robin sent some GETs to the resetting instance").isPositive();

        int before = resetting.requests();
        long postsBefore = h.calls("POST", "/echo");
        int failed = 0;
        for (int i = 0; i < 6; i++) {
            try {
                client.post("svc", "/echo", Map.of("i", i));
            } catch (CallFailedException e) {
                failed++;
                assertThat(e.getCause()).isInstanceOf(java.io.IOException.class);
            }
        }
        int resets = resetting.requests() - before;
        assertThat(failed).as("every POST that met the reset failed, unrepeated").isEqualTo(resets);
        assertThat(h.calls("POST", "/echo") - postsBefore).as("none was sent again elsewhere").isEqualTo(6 - resets);

        long withKey = h.calls("POST", "/echo");
        for (int i = 0; i < 6; i++) {
            client.send(ServiceRequest.post("svc", "/echo").json(Map.of("i", i)).header("Idempotency-Key", "k-" + i).build());
        }
        assertThat(h.calls("POST", "/echo") - withKey).as("with an Idempotency-Key a POST is retried").isEqualTo(6);
    }

    @Test
    void headersThatNeverComeAndABodyThatTricklesAreCutOffByTheLimit() {
        healthy("svc");
        faulty("svc", FaultServer.Fault.NO_HEADERS);
        client = clientWithRetry().attemptTimeout(Duration.ofMillis(300)).build();
        for (int i = 0; i < 4; i++) {
            long start = System.nanoTime();
            assertThat(client.get("svc", "/echo").text()).contains("healthy");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
        }

        long start = System.nanoTime();
        assertThatThrownBy(() -> client.send(ServiceRequest.get("svc", "/trickle?ms=5000").timeout(Duration.ofMillis(700)).build()))
                .as("the limit covers the body").isInstanceOf(CallTimeoutException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
    }

    @Test
    void retryAfterSetsTheNextDelayUpToTheCap() {
        TestHttpServer h = healthy("svc");
        client = ServiceClient.builder(discovery).retryAfterCap(Duration.ofMillis(400))
                .retry(Retry.builder("http").maxAttempts(2).backoff(Backoff.fixed(Duration.ofMillis(1))).build()).build();
        long start = System.nanoTime();
        assertThatThrownBy(() -> client.get("svc", "/status/503?retryAfter=1"))
                .isInstanceOfSatisfying(HttpStatusException.class, e -> assertThat(e.status()).isEqualTo(503));
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(took).as("waited the cap, not the second asked for").isBetween(Duration.ofMillis(380), Duration.ofMillis(950));
        assertThat(h.calls("GET", "/status")).isEqualTo(2);

        start = System.nanoTime();
        assertThatThrownBy(() -> client.get("svc", "/status/429?retryAfter=0")).isInstanceOf(HttpStatusException.class);
        assertThat(h.calls("GET", "/status")).as("429 is retried").isEqualTo(4);
    }

    @Test
    void a500CountsAgainstTheInstanceButIsNotRetried() {
        TestHttpServer h = healthy("svc");
        client = clientWithRetry().instanceBreaker(CircuitBreakerConfig.builder().consecutiveFailures(3)
                .openFor(Duration.ofMinutes(1)).build()).build();
        for (int i = 0; i < 3; i++) {
            assertThatThrownBy(() -> client.get("svc", "/status/500"))
                    .isInstanceOfSatisfying(HttpStatusException.class, e -> assertThat(e.status()).isEqualTo(500));
        }
        assertThat(h.calls("GET", "/status")).as("never retried").isEqualTo(3);
        assertThat(client.endpoints("svc").get(0).breaker().state()).as("counted").isEqualTo(State.OPEN);
        assertThatThrownBy(() -> client.get("svc", "/echo")).isInstanceOf(NoInstanceException.class)
                .hasMessageContaining("every instance refused");
    }

    @Test
    void malformedJsonAHugeBodyAndARedirect() {
        healthy("svc");
        client = ServiceClient.builder(discovery).maxResponseBytes(64 * 1024).build();
        assertThatThrownBy(() -> client.json(ServiceRequest.get("svc", "/bad-json").build(), Map.class))
                .isInstanceOfSatisfying(JsonBodyException.class, e -> assertThat(e.getMessage())
                        .contains("GET svc/bad-json").contains("127.0.0.1:").contains("java.util.Map").contains("{\"server\": \"half"));
        assertThatThrownBy(() -> client.get("svc", "/big?bytes=1000000"))
                .isInstanceOfSatisfying(CallFailedException.class, e -> assertThat(e.getCause())
                        .isInstanceOf(ResponseTooLargeException.class).hasMessageContaining("65536"));
        assertThat(client.get("svc", "/big?bytes=1000").body()).hasSize(1000);
        assertThat(client.get("svc", "/redirect").text()).as("redirects followed").contains("\"path\":\"/echo\"");
    }

    @Test
    void https() throws Exception {
        TestCertificates certs = TestCertificates.create(dir.resolve("certs"));
        TestHttpServer secure = TestHttpServer.startTls("secure", certs.serverContext());
        servers.add(secure);
        secure.register(registry, "tls");
        client = ServiceClient.builder(discovery)
                .httpClient(HttpClient.newBuilder().sslContext(certs.trustingContext()).build()).build();
        assertThat(client.get("tls", "/echo").text()).contains("\"server\":\"secure\"");
        assertThat(client.endpoints("tls").get(0).client().getScheme()).isEqualTo("https");
    }

    @Test
    void aPostCutOffByTheLimitIsNotSentAgainUnlessItIsIdempotent() {
        TestHttpServer slow = healthy("svc");
        slow.slow(Duration.ofMillis(800));
        client = clientWithRetry().attemptTimeout(Duration.ofMillis(200)).build();
        assertThatThrownBy(() -> client.post("svc", "/echo", Map.of("order", 1))).isInstanceOf(CallTimeoutException.class);
        assertThatThrownBy(() -> client.sendAsync(ServiceRequest.post("svc", "/echo").json(Map.of("order", 2)).build()).join())
                .hasCauseInstanceOf(CallTimeoutException.class);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> slow.calls("POST", "/echo") >= 2);
        org.awaitility.Awaitility.await().pollDelay(Duration.ofMillis(1000)).atMost(Duration.ofSeconds(3)).until(() -> true);
        assertThat(slow.calls("POST", "/echo")).as("each POST arrived once: a timeout after sending is not retried").isEqualTo(2);

        assertThatThrownBy(() -> client.send(ServiceRequest.post("svc", "/echo").json(Map.of("order", 3))
                .header("Idempotency-Key", "order-3").build())).isInstanceOf(CallTimeoutException.class);
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).until(() -> slow.calls("POST", "/echo") == 5);
    }
}
