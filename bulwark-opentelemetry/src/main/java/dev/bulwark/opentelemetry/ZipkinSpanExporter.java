package dev.bulwark.opentelemetry;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.TimeUnit;

/**
 * Sends spans to Zipkin as its v2 JSON ({@code POST /api/v2/spans}) over the JDK's HTTP client:
 * OpenTelemetry's own Zipkin exporter stopped at 1.63. Span events become Zipkin annotations
 * ({@code name} plus their attributes), attributes become tags, an error status the {@code error} tag.
 */
final class ZipkinSpanExporter implements SpanExporter {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI endpoint;
    private final String serviceName;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    ZipkinSpanExporter(URI endpoint, String serviceName) {
        this.endpoint = endpoint;
        this.serviceName = serviceName;
    }

    @Override
    public CompletableResultCode export(Collection<SpanData> spans) {
        ArrayNode body = JSON.createArrayNode();
        spans.forEach(s -> body.add(toZipkin(s)));
        CompletableResultCode result = new CompletableResultCode();
        HttpRequest request = HttpRequest.newBuilder(endpoint).timeout(Duration.ofSeconds(10))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
        http.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, error) -> {
            if (error == null && response.statusCode() / 100 == 2) {
                result.succeed();
            } else {
                result.fail();
            }
        });
        return result;
    }

    private ObjectNode toZipkin(SpanData span) {
        ObjectNode z = JSON.createObjectNode();
        z.put("traceId", span.getTraceId());
        z.put("id", span.getSpanId());
        if (span.getParentSpanContext().isValid()) {
            z.put("parentId", span.getParentSpanId());
        }
        z.put("name", span.getName());
        String kind = kind(span.getKind());
        if (kind != null) {
            z.put("kind", kind);
        }
        long startMicros = TimeUnit.NANOSECONDS.toMicros(span.getStartEpochNanos());
        z.put("timestamp", startMicros);
        z.put("duration", Math.max(1, TimeUnit.NANOSECONDS.toMicros(span.getEndEpochNanos()) - startMicros));
        z.putObject("localEndpoint").put("serviceName", serviceName);
        ObjectNode tags = z.putObject("tags");
        span.getAttributes().forEach((k, v) -> tags.put(k.getKey(), String.valueOf(v)));
        if (span.getStatus().getStatusCode() == StatusCode.ERROR) {
            tags.put("error", span.getStatus().getDescription().isEmpty() ? "true" : span.getStatus().getDescription());
        }
        ArrayNode annotations = z.putArray("annotations");
        for (EventData e : span.getEvents()) {
            StringBuilder value = new StringBuilder(e.getName());
            e.getAttributes().forEach((k, v) -> value.append(' ').append(k.getKey()).append('=').append(v));
            annotations.addObject().put("timestamp", TimeUnit.NANOSECONDS.toMicros(e.getEpochNanos())).put("value", value.toString());
        }
        return z;
    }

    private static String kind(SpanKind kind) {
        return switch (kind) {
            case CLIENT -> "CLIENT";
            case SERVER -> "SERVER";
            case PRODUCER -> "PRODUCER";
            case CONSUMER -> "CONSUMER";
            default -> null;
        };
    }

    @Override
    public CompletableResultCode flush() {
        return CompletableResultCode.ofSuccess();
    }

    @Override
    public CompletableResultCode shutdown() {
        return CompletableResultCode.ofSuccess();
    }
}
