package dev.bulwark.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.InvalidConfigException;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The tracing setup: from code or TRACE_* variables, sampling by ratio, W3C and B3 propagation, named errors. */
class TracingSetupTest {

    @Test
    void theEnvironmentConfiguresItAndBadValuesAreNamed() {
        try (OpenTelemetrySdk otel = TracingSetup.fromEnvironment(Map.of("TRACE_SERVICE_NAME", "orders",
                "TRACE_SAMPLE_RATIO", "0", "TRACE_CONSOLE", "true")).build()) {
            Span unsampled = otel.getTracer("t").spanBuilder("s").startSpan();
            assertThat(unsampled.getSpanContext().isSampled()).as("ratio 0").isFalse();
            unsampled.end();
        }
        assertThatThrownBy(() -> TracingSetup.fromEnvironment(Map.of()))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.field()).isEqualTo("TRACE_SERVICE_NAME"));
        assertThatThrownBy(() -> TracingSetup.fromEnvironment(Map.of("TRACE_SERVICE_NAME", "x", "TRACE_SAMPLE_RATIO", "half")))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.field()).isEqualTo("TRACE_SAMPLE_RATIO"));
        assertThatThrownBy(() -> TracingSetup.fromEnvironment(Map.of("TRACE_SERVICE_NAME", "x", "TRACE_SAMPLE_RATIO", "1.5")))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.field()).isEqualTo("sampleRatio"));
        assertThatThrownBy(() -> TracingSetup.fromEnvironment(Map.of("TRACE_SERVICE_NAME", "x", "TRACE_ZIPKIN_ENDPOINT", "zipkin:9411")))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.field()).isEqualTo("TRACE_ZIPKIN_ENDPOINT"));
        assertThatThrownBy(() -> TracingSetup.builder("x").build())
                .as("spans have to go somewhere").isInstanceOfSatisfying(InvalidConfigException.class,
                        e -> assertThat(e.field()).isEqualTo("exporter"));
    }

    @Test
    void b3HeadersAreWrittenBesideTraceparentWhenAsked() {
        try (OpenTelemetrySdk otel = TracingSetup.builder("svc").b3(true).console().build()) {
            Span span = otel.getTracer("t").spanBuilder("s").startSpan();
            Map<String, String> headers = new HashMap<>();
            otel.getPropagators().getTextMapPropagator().inject(Context.root().with(span), headers, Map::put);
            span.end();
            assertThat(headers).containsKeys("traceparent", "X-B3-TraceId");
            assertThat(headers.get("X-B3-TraceId")).isEqualTo(span.getSpanContext().getTraceId());
        }
    }
}
