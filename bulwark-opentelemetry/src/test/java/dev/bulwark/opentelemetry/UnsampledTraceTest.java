package dev.bulwark.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.propagation.ContextPropagators;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A request whose trace was not sampled upstream crosses an HTTP server, a gRPC client, a gRPC
 * server and a second gRPC client to a last gRPC server: no hop records a span, and the last
 * server receives the caller's own trace context, "not sampled" flag included, so no service
 * along the way starts a trace of its own.
 */
class UnsampledTraceTest {
    private static final String TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    private static final String CALLER_SPAN = "00f067aa0ba902b7";
    private static final Metadata.Key<String> TRACEPARENT = Metadata.Key.of("traceparent", Metadata.ASCII_STRING_MARSHALLER);

    @Test
    void everyHopFollowsTheCallersDecisionAndSendsItsContextOn() throws Exception {
        InMemorySpanExporter exported = InMemorySpanExporter.create();
        OpenTelemetrySdk otel = OpenTelemetrySdk.builder()
                .setPropagators(ContextPropagators.create(W3CTraceContextPropagator.getInstance())).setTracerProvider(SdkTracerProvider.builder()
                .addSpanProcessor(SimpleSpanProcessor.create(exported)).build()).build(); // parent-based, always on at a root
        GrpcTracing grpc = GrpcTracing.create(otel);
        AtomicReference<String> received = new AtomicReference<>();
        ServerInterceptor capture = new ServerInterceptor() {
            @Override
            public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
                    ServerCallHandler<ReqT, RespT> next) {
                received.set(headers.get(TRACEPARENT));
                return next.startCall(call, headers);
            }
        };
        try (TracedHops hops = new TracedHops(grpc, HttpTracing.create(otel), capture)) {
            HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + hops.webPort() + "/hello"))
                    .header("traceparent", "00-" + TRACE + "-" + CALLER_SPAN + "-00").build(), HttpResponse.BodyHandlers.ofString());

            assertThat(answer.body()).isEqualTo("via a: hello");
            assertThat(received.get()).as("what the last server received").isEqualTo("00-" + TRACE + "-" + CALLER_SPAN + "-00");
            otel.getSdkTracerProvider().forceFlush().join(5, TimeUnit.SECONDS);
            assertThat(exported.getFinishedSpanItems()).as("spans recorded").isEmpty();
        } finally {
            otel.close();
        }
    }
}
