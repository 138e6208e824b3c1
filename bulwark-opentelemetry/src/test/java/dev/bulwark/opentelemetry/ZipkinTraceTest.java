package dev.bulwark.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bulwark.balance.Strategy;
import dev.bulwark.discovery.InMemoryRegistry;
import dev.bulwark.discovery.ServiceDiscovery;
import dev.bulwark.discovery.ServiceInstance;
import dev.bulwark.http.ServiceClient;
import dev.bulwark.http.test.FaultServer;
import dev.bulwark.retry.Backoff;
import dev.bulwark.retry.Retry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * One trace across four processes' worth of hops, in a real Zipkin (its exec jar, on loopback):
 * Bulwark's HTTP client (a call span, a failed attempt on an instance that refuses, a failover,
 * a second attempt) → a JDK HTTP server → a gRPC client → a Bulwark gRPC server → a gRPC client →
 * a second gRPC server. Checked through Zipkin's API: every span in one trace, each parented by
 * the hop before it, and the retry and failover recorded as annotations of the call's span.
 */
class ZipkinTraceTest {
    @RegisterExtension
    static final ZipkinServer ZIPKIN = new ZipkinServer();

    @Test
    void oneTraceFromTheHttpClientToTheLastGrpcServer() throws Exception {
        OpenTelemetrySdk otel = TracingSetup.builder("bulwark-e2e").zipkin(ZIPKIN.spansEndpoint()).build();
        GrpcTracing grpc = GrpcTracing.create(otel);
        HttpTracing http = HttpTracing.create(otel);
        List<AutoCloseable> open = new ArrayList<>();
        try {
            TracedHops hops = new TracedHops(grpc, http);
            open.add(hops);

            InMemoryRegistry registry = InMemoryRegistry.create();
            registry.register(ServiceInstance.builder("web", "127.0.0.1", FaultServer.refusedPort()).id("a-refused").build());
            registry.register(ServiceInstance.builder("web", "127.0.0.1", hops.webPort()).id("b-web").build());
            ServiceDiscovery discovery = ServiceDiscovery.builder(registry).build();
            open.add(discovery);
            ServiceClient client = http.applyTo(ServiceClient.builder(discovery).balancer(Strategy.ROUND_ROBIN)
                    .retry(Retry.builder("http").maxAttempts(3).backoff(Backoff.none()).build())).build();
            open.add(client);

            JsonNode trace = null;
            for (int i = 0; i < 3 && trace == null; i++) {
                Span root = otel.getTracer("test").spanBuilder("test-root").startSpan();
                try (Scope ignored = root.makeCurrent()) {
                    assertThat(client.get("web", "/hello").text()).isEqualTo("via a: hello");
                } finally {
                    root.end();
                }
                otel.getSdkTracerProvider().forceFlush().join(10, TimeUnit.SECONDS);
                String traceId = root.getSpanContext().getTraceId();
                JsonNode candidate = await().atMost(Duration.ofSeconds(20)).until(
                        () -> new ObjectMapper().readTree(orEmpty(ZIPKIN.get("/api/v2/trace/" + traceId))),
                        spans -> spans.size() >= 8);
                if (annotations(candidate).stream().anyMatch(v -> v.startsWith("bulwark.failover"))) {
                    trace = candidate; // round robin sent this call's first attempt to the refusing instance
                }
            }
            assertThat(trace).as("a trace whose first attempt met the refusing instance").isNotNull();

            Map<String, JsonNode> byId = new HashMap<>();
            trace.forEach(span -> byId.put(span.get("id").asText(), span));
            JsonNode call = single(trace, "http:web", null);
            JsonNode failed = single(trace, "attempt 1", null);
            JsonNode second = single(trace, "attempt 2", null);
            JsonNode webSpan = single(trace, "GET /", "SERVER");
            JsonNode clientToA = childOf(trace, webSpan, "CLIENT");
            JsonNode serverA = childOf(trace, clientToA, "SERVER");
            JsonNode clientToB = childOf(trace, serverA, "CLIENT");
            JsonNode serverB = childOf(trace, clientToB, "SERVER");
            assertThat(parent(byId, call).get("name").asText()).isEqualTo("test-root");
            assertThat(parent(byId, failed)).isEqualTo(call);
            assertThat(parent(byId, second)).isEqualTo(call);
            assertThat(failed.get("tags").has("error")).isTrue();
            assertThat(parent(byId, webSpan)).as("the HTTP server continues the second attempt's trace").isEqualTo(second);
            assertThat(serverB.get("tags").get("rpc.method").asText()).isEqualTo("Unary");
            assertThat(annotations(call)).anyMatch(v -> v.startsWith("bulwark.retry") && v.contains("ConnectException"))
                    .anyMatch(v -> v.startsWith("bulwark.failover") && v.contains("bulwark.from=a-refused") && v.contains("bulwark.to=b-web"));
        } finally {
            for (int i = open.size() - 1; i >= 0; i--) {
                open.get(i).close();
            }
            otel.close();
        }
    }

    private static String orEmpty(String body) {
        return body.isEmpty() ? "[]" : body;
    }

    private static List<String> annotations(JsonNode spansOrSpan) {
        List<String> values = new ArrayList<>();
        Iterable<JsonNode> spans = spansOrSpan.isArray() ? spansOrSpan : List.of(spansOrSpan);
        for (JsonNode span : spans) {
            if (span.has("annotations")) {
                span.get("annotations").forEach(a -> values.add(a.get("value").asText()));
            }
        }
        return values;
    }

    private static JsonNode single(JsonNode trace, String name, String kind) {
        List<JsonNode> found = new ArrayList<>();
        trace.forEach(span -> {
            if (span.get("name").asText().equalsIgnoreCase(name) && (kind == null || kind.equals(span.path("kind").asText()))) {
                found.add(span);
            }
        });
        assertThat(found).as("spans named " + name).hasSize(1);
        return found.get(0);
    }

    private static JsonNode childOf(JsonNode trace, JsonNode parent, String kind) {
        List<JsonNode> found = new ArrayList<>();
        trace.forEach(span -> {
            if (parent.get("id").asText().equals(span.path("parentId").asText()) && kind.equals(span.path("kind").asText())) {
                found.add(span);
            }
        });
        assertThat(found).as(kind + " child of " + parent.get("name").asText()).hasSize(1);
        return found.get(0);
    }

    private static JsonNode parent(Map<String, JsonNode> byId, JsonNode span) {
        return byId.get(span.path("parentId").asText());
    }
}
