package dev.bulwark.opentelemetry;

import dev.bulwark.InvalidConfigException;
import dev.bulwark.internal.Check;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.exporter.logging.LoggingSpanExporter;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.extension.trace.propagation.B3Propagator;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.SdkTracerProviderBuilder;
import io.opentelemetry.sdk.trace.SpanProcessor;
import io.opentelemetry.sdk.trace.export.BatchSpanProcessor;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An OpenTelemetry SDK for a Bulwark application in one builder: the service name, the sampling
 * ratio (parent-based, so a trace sampled upstream stays sampled), the propagation format (W3C
 * trace context, or B3 as well), and where spans go: OTLP over HTTP/protobuf, Zipkin's v2 JSON API,
 * or the console for development. Reads {@code TRACE_SERVICE_NAME}, {@code TRACE_SAMPLE_RATIO},
 * {@code TRACE_ZIPKIN_ENDPOINT}, {@code TRACE_OTLP_ENDPOINT} and {@code TRACE_CONSOLE} with
 * {@link #fromEnvironment(Map)}.
 *
 * <pre>{@code
 * OpenTelemetrySdk otel = TracingSetup.builder("order-service")
 *     .sampleRatio(0.1)
 *     .zipkin(URI.create("http://127.0.0.1:9411/api/v2/spans"))
 *     .build();
 * }</pre>
 */
public final class TracingSetup {
    private TracingSetup() {
    }

    public static Builder builder(String serviceName) {
        return new Builder(Check.name("serviceName", serviceName));
    }

    /** A builder from the {@code TRACE_*} variables of {@code env} ({@code System.getenv()} in an application). */
    public static Builder fromEnvironment(Map<String, String> env) {
        String service = env.get("TRACE_SERVICE_NAME");
        if (service == null || service.isBlank()) {
            throw new InvalidConfigException("TRACE_SERVICE_NAME", service, "the name spans are reported under");
        }
        Builder b = builder(service.trim());
        if (env.containsKey("TRACE_SAMPLE_RATIO")) {
            try {
                b.sampleRatio(Double.parseDouble(env.get("TRACE_SAMPLE_RATIO").trim()));
            } catch (NumberFormatException e) {
                throw new InvalidConfigException("TRACE_SAMPLE_RATIO", env.get("TRACE_SAMPLE_RATIO"), "a number in [0, 1]");
            }
        }
        if (env.containsKey("TRACE_ZIPKIN_ENDPOINT")) {
            b.zipkin(uri("TRACE_ZIPKIN_ENDPOINT", env.get("TRACE_ZIPKIN_ENDPOINT")));
        }
        if (env.containsKey("TRACE_OTLP_ENDPOINT")) {
            b.otlp(uri("TRACE_OTLP_ENDPOINT", env.get("TRACE_OTLP_ENDPOINT")));
        }
        if ("true".equalsIgnoreCase(env.getOrDefault("TRACE_CONSOLE", "false").trim())) {
            b.console();
        }
        return b;
    }

    private static URI uri(String field, String value) {
        try {
            URI uri = URI.create(value.trim());
            if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https")) || uri.getHost() == null) {
                throw new IllegalArgumentException("not http");
            }
            return uri;
        } catch (IllegalArgumentException e) {
            throw new InvalidConfigException(field, value, "an http(s) URL, e.g. http://127.0.0.1:9411/api/v2/spans");
        }
    }

    /** Builds the SDK. */
    public static final class Builder {
        private final String serviceName;
        private double ratio = 1.0;
        private boolean b3;
        private final List<SpanProcessor> processors = new ArrayList<>();

        private Builder(String serviceName) {
            this.serviceName = serviceName;
        }

        /** The share of new traces recorded, in [0, 1] (default 1); a trace sampled upstream is always recorded. */
        public Builder sampleRatio(double share) {
            ratio = Check.closed("sampleRatio", share, 0, 1);
            return this;
        }

        /** Also read and write B3 headers (Zipkin's own format), beside W3C trace context. */
        public Builder b3(boolean enabled) {
            b3 = enabled;
            return this;
        }

        /** Sends spans, batched, to Zipkin's v2 JSON API at {@code endpoint}. */
        public Builder zipkin(URI endpoint) {
            processors.add(BatchSpanProcessor.builder(new ZipkinSpanExporter(Check.notNull("zipkin", endpoint), serviceName)).build());
            return this;
        }

        /** Sends spans, batched, over OTLP HTTP/protobuf to {@code endpoint} (e.g. {@code http://collector:4318/v1/traces}). */
        public Builder otlp(URI endpoint) {
            processors.add(BatchSpanProcessor.builder(OtlpHttpSpanExporter.builder()
                    .setEndpoint(Check.notNull("otlp", endpoint).toString()).build()).build());
            return this;
        }

        /** Logs every span as it ends (java.util.logging), for development. */
        public Builder console() {
            processors.add(SimpleSpanProcessor.create(LoggingSpanExporter.create()));
            return this;
        }

        public OpenTelemetrySdk build() {
            if (processors.isEmpty()) {
                throw new InvalidConfigException("exporter", "none", "zipkin, otlp or console: spans have to go somewhere");
            }
            SdkTracerProviderBuilder provider = SdkTracerProvider.builder()
                    .setResource(Resource.getDefault().merge(Resource.create(Attributes.of(
                            AttributeKey.stringKey("service.name"), serviceName))))
                    .setSampler(Sampler.parentBased(Sampler.traceIdRatioBased(ratio)));
            processors.forEach(provider::addSpanProcessor);
            TextMapPropagator propagator = b3
                    ? TextMapPropagator.composite(W3CTraceContextPropagator.getInstance(), B3Propagator.injectingMultiHeaders())
                    : W3CTraceContextPropagator.getInstance();
            return OpenTelemetrySdk.builder().setTracerProvider(provider.build())
                    .setPropagators(ContextPropagators.create(propagator)).build();
        }

        @Override
        public String toString() {
            return "TracingSetup{" + serviceName + ", ratio " + String.format(Locale.ROOT, "%.3f", ratio) + '}';
        }
    }
}
