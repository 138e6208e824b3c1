package dev.bulwark.config;

import dev.bulwark.internal.Check;
import dev.bulwark.opentelemetry.TracingSetup;
import java.net.URI;
import java.util.List;
import java.util.Optional;

/**
 * The OpenTelemetry setup of a {@link BulwarkConfig}, from its {@code trace} section (the
 * reference framework's {@code TRACE_SERVICE_NAME}, {@code TRACE_SAMPLE_RATIO}... override it):
 *
 * <pre>{@code
 * Optional<TracingSetup.Builder> tracing = TracingSettings.setup(config);   // empty without trace.service-name
 * }</pre>
 *
 * {@code service-name}, {@code sample-ratio}, {@code propagation} ({@code b3} adds B3 headers),
 * and where spans go: {@code zipkin-endpoint}, {@code otlp-endpoint}, {@code console}. Needs
 * bulwark-opentelemetry on the class path.
 */
public final class TracingSettings {
    private TracingSettings() {
    }

    /** The setup the {@code trace} section describes; empty when it names no service (tracing off). */
    public static Optional<TracingSetup.Builder> setup(BulwarkConfig config) {
        Check.notNull("config", config);
        Optional<String> service = config.get(List.of("trace", "service-name"), String.class);
        if (service.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(GrpcSettings.building(config, "trace", () -> {
            TracingSetup.Builder b = TracingSetup.builder(service.get());
            b.sampleRatio(config.get(List.of("trace", "sample-ratio"), Double.class).orElse(1.0));
            b.b3(config.get(List.of("trace", "propagation"), String.class).map("b3"::equals).orElse(false));
            config.get(List.of("trace", "zipkin-endpoint"), String.class).map(URI::create).ifPresent(b::zipkin);
            config.get(List.of("trace", "otlp-endpoint"), String.class).map(URI::create).ifPresent(b::otlp);
            if (config.get(List.of("trace", "console"), Boolean.class).orElse(false)) {
                b.console();
            }
            return b;
        }));
    }
}
