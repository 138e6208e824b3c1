package dev.bulwark.benchmarks.trace;

import dev.bulwark.CallContext;
import dev.bulwark.call.Pipeline;
import dev.bulwark.opentelemetry.CallTracing;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.util.Collection;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * What tracing costs a call: a pipeline call with the call and attempt span stages, sampled; unsampled
 * inside a trace its root did not sample (the parent in the call's context, as a transport puts it);
 * unsampled at the root of a trace (the sampler says no, but the ids are made for propagation);
 * beside the same pipeline untraced and beside one bare OpenTelemetry span started and ended (the
 * SDK's own cost, which the OpenTelemetry project puts near 300 ns and 420 B). Spans go to an
 * exporter that drops them. Run by {@code scripts/bench trace} with {@code -prof gc}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class TracingBenchmark {
    @Param({"untraced", "traced-unsampled-parent", "traced-unsampled-root", "traced-sampled", "bare-span"})
    public String stack;

    private Pipeline<String> pipeline;
    private Tracer tracer;
    private CallContext context = CallContext.none();

    /** Accepts spans and keeps none. */
    private static final class Dropping implements SpanExporter {
        @Override
        public CompletableResultCode export(Collection<SpanData> spans) {
            return CompletableResultCode.ofSuccess();
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

    @Setup
    public void setUp() {
        boolean sampled = !stack.equals("traced-unsampled-root");
        OpenTelemetrySdk otel = OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider.builder()
                .setSampler(sampled ? Sampler.parentBased(Sampler.alwaysOn()) : Sampler.alwaysOff()) // the SDK's default, or off
                .addSpanProcessor(SimpleSpanProcessor.create(new Dropping())).build()).build();
        tracer = otel.getTracer("bench");
        Pipeline.Builder<String> b = Pipeline.<String>builder("traced");
        pipeline = stack.startsWith("traced") ? CallTracing.create(otel).applyTo(b).build() : b.build();
        if (stack.equals("traced-unsampled-parent")) {
            SpanContext parent = SpanContext.createFromRemoteParent("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331",
                    TraceFlags.getDefault(), TraceState.getDefault());
            context = CallContext.none().with(CallTracing.OTEL_CONTEXT, Context.root().with(Span.wrap(parent)));
        }
    }

    @Benchmark
    public Object call() {
        if (stack.equals("bare-span")) {
            Span span = tracer.spanBuilder("bare").startSpan();
            span.end();
            return span;
        }
        return pipeline.call(context, () -> "ok");
    }
}
