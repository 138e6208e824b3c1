package dev.bulwark.discovery.consul;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bulwark.testing.VirtualScheduler;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The TEST FAKE itself, over raw HTTP: it must answer as Consul documents for the endpoints
 * consul-client uses, or the registry tests against it prove nothing.
 */
class FakeConsulTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final VirtualScheduler scheduler = new VirtualScheduler();
    private FakeConsul fake = FakeConsul.start(scheduler);

    @AfterEach
    void stop() {
        fake.close();
    }

    private static String registration(String id, String name, String checkExtra) {
        return "{\"ID\":\"" + id + "\",\"Name\":\"" + name + "\",\"Address\":\"10.0.0.7\",\"Port\":8080,"
                + "\"Tags\":[\"blue\"],\"Meta\":{\"team\":\"core\"},"
                + "\"Check\":{\"TTL\":\"5s\"" + checkExtra + "}}";
    }

    private HttpResponse<String> put(String path, String body) {
        return Fakes.send(fake, "PUT", path, body, null);
    }

    private static long index(HttpResponse<String> response) {
        return Long.parseLong(response.headers().firstValue("X-Consul-Index").orElseThrow());
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body());
    }

    @Test
    void fakeHealthShowsNodeServiceAndChecksAndItsIndexMovesOnEveryChangeOnly() throws Exception {
        assertThat(put("/v1/agent/service/register", registration("web-1", "web", ",\"Status\":\"passing\"")).statusCode()).isEqualTo(200);
        HttpResponse<String> first = Fakes.send(fake, "GET", "/v1/health/service/web", null, null);
        JsonNode entry = json(first).get(0);
        assertThat(entry.at("/Node/Node").asText()).isEqualTo(FakeCatalog.NODE);
        assertThat(entry.at("/Service/ID").asText()).isEqualTo("web-1");
        assertThat(entry.at("/Service/Meta/team").asText()).isEqualTo("core");
        assertThat(entry.get("Checks")).extracting(c -> c.get("CheckID").asText() + "=" + c.get("Status").asText())
                .containsExactly("serfHealth=passing", "service:web-1=passing");

        assertThat(put("/v1/agent/check/pass/service:web-1", null).statusCode()).isEqualTo(200);
        long afterPass = index(Fakes.send(fake, "GET", "/v1/health/service/web", null, null));
        assertThat(afterPass).as("passing a passing check changes nothing").isEqualTo(index(first));

        put("/v1/agent/check/warn/service:web-1", null);
        long afterWarn = index(Fakes.send(fake, "GET", "/v1/health/service/web", null, null));
        assertThat(afterWarn).isGreaterThan(afterPass);

        assertThat(put("/v1/agent/service/deregister/web-1", null).statusCode()).isEqualTo(200);
        HttpResponse<String> gone = Fakes.send(fake, "GET", "/v1/health/service/web", null, null);
        assertThat(index(gone)).isGreaterThan(afterWarn);
        assertThat(json(gone)).isEmpty();
    }

    @Test
    void fakeBlockingQueryReturnsWhenTheIndexMovesOrItsWaitRunsOut() throws Exception {
        put("/v1/agent/service/register", registration("web-1", "web", ""));
        long now = index(Fakes.send(fake, "GET", "/v1/health/service/web", null, null));

        HttpResponse<String> unchanged = Fakes.send(fake, "GET", "/v1/health/service/web?index=" + now + "&wait=100ms", null, null);
        assertThat(index(unchanged)).as("the wait ran out without a change").isEqualTo(now);

        CompletableFuture<HttpResponse<String>> blocked = HttpClient.newHttpClient().sendAsync(
                HttpRequest.newBuilder(URI.create(fake.address() + "/v1/health/service/web?index=" + now + "&wait=30s")).build(),
                HttpResponse.BodyHandlers.ofString());
        await().atMost(Duration.ofSeconds(5)).until(() -> fake.blockedQueries() == 1);
        assertThat(blocked).isNotDone();
        put("/v1/agent/service/register", registration("web-2", "web", ""));
        HttpResponse<String> woken = blocked.get();
        assertThat(index(woken)).isGreaterThan(now);
        assertThat(json(woken)).hasSize(2);
    }

    @Test
    void fakeTtlCheckTurnsCriticalAndTheServiceIsReapedOnceDeregisterCriticalServiceAfterPassed() throws Exception {
        put("/v1/agent/service/register", registration("web-1", "web", ",\"Status\":\"passing\",\"DeregisterCriticalServiceAfter\":\"10s\""));
        scheduler.advance(Duration.ofSeconds(4));
        put("/v1/agent/check/pass/service:web-1", null);
        scheduler.advance(Duration.ofSeconds(4));
        assertThat(fake.checkStatus("service:web-1")).contains("passing");
        scheduler.advance(Duration.ofSeconds(2)); // t=10 s: 6 s since the last pass
        assertThat(fake.checkStatus("service:web-1")).contains("critical");
        assertThat(json(Fakes.send(fake, "GET", "/v1/health/service/web", null, null)).at("/0/Checks/1/Output").asText())
                .isEqualTo("TTL expired");

        scheduler.advance(Duration.ofSeconds(55)); // t=65 s: the reaper at 60 s found it critical for 51 s, under Consul's 1 m minimum
        assertThat(fake.hasService("web-1")).isTrue();
        scheduler.advance(Duration.ofSeconds(30)); // t=95 s: the reaper at 90 s found it critical for 81 s
        assertThat(fake.hasService("web-1")).isFalse();
    }

    @Test
    void fakeAnswers404ForUnknownServicesAndChecks() {
        HttpResponse<String> deregister = put("/v1/agent/service/deregister/nobody", null);
        assertThat(deregister.statusCode()).isEqualTo(404);
        assertThat(deregister.body()).startsWith("Unknown service ID \"nobody\"");
        HttpResponse<String> pass = put("/v1/agent/check/pass/service:nobody", null);
        assertThat(pass.statusCode()).isEqualTo(404);
        assertThat(pass.body()).startsWith("Unknown check ID \"service:nobody\"");
    }

    @Test
    void fakeValidatesServiceMetaAsConsulDoes() {
        HttpResponse<String> dotted = put("/v1/agent/service/register", "{\"Name\":\"web\",\"Meta\":{\"a.b\":\"x\"}}");
        assertThat(dotted.statusCode()).isEqualTo(400);
        assertThat(dotted.body()).contains("Invalid Service Meta").contains("Key contains invalid characters");
        HttpResponse<String> reserved = put("/v1/agent/service/register", "{\"Name\":\"web\",\"Meta\":{\"consul-x\":\"x\"}}");
        assertThat(reserved.body()).contains("reserved for internal use");
        HttpResponse<String> nameless = put("/v1/agent/service/register", "{\"Port\":80}");
        assertThat(nameless.statusCode()).isEqualTo(400);
        assertThat(nameless.body()).isEqualTo("Missing service name");
    }

    @Test
    void fakeAclsRefuseUnknownTokensDenyAnonymousWritesAndFilterAnonymousReads() throws Exception {
        fake.close();
        fake = FakeConsul.withToken(scheduler, "s3cret");
        assertThat(Fakes.send(fake, "PUT", "/v1/agent/service/register", registration("web-1", "web", ""), "s3cret").statusCode())
                .isEqualTo(200);

        HttpResponse<String> unknown = Fakes.send(fake, "GET", "/v1/health/service/web", null, "guess");
        assertThat(unknown.statusCode()).isEqualTo(403);
        assertThat(unknown.body()).isEqualTo("ACL not found");

        HttpResponse<String> anonymousWrite = Fakes.send(fake, "PUT", "/v1/agent/service/register", registration("web-2", "web", ""), null);
        assertThat(anonymousWrite.statusCode()).isEqualTo(403);
        assertThat(anonymousWrite.body()).startsWith("Permission denied");

        HttpResponse<String> anonymousRead = Fakes.send(fake, "GET", "/v1/health/service/web", null, null);
        assertThat(anonymousRead.statusCode()).isEqualTo(200);
        assertThat(json(anonymousRead)).isEmpty();
        assertThat(anonymousRead.headers().firstValue("X-Consul-Results-Filtered-By-ACLs")).contains("true");

        HttpResponse<String> byQueryParameter = Fakes.send(fake, "GET", "/v1/health/service/web?token=s3cret", null, null);
        assertThat(json(byQueryParameter)).hasSize(1);
    }

    @Test
    void fakeAnswersAnotherDatacenterWithNoPath() {
        HttpResponse<String> other = Fakes.send(fake, "GET", "/v1/health/service/web?dc=dc2", null, null);
        assertThat(other.statusCode()).isEqualTo(500);
        assertThat(other.body()).isEqualTo("No path to datacenter");
        assertThat(Fakes.send(fake, "GET", "/v1/health/service/web?dc=dc1", null, null).statusCode()).isEqualTo(200);
    }
}
