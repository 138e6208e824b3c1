package dev.bulwark.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.bulwark.grpc.server.BulwarkServer;
import dev.bulwark.grpc.test.EchoGrpc;
import dev.bulwark.grpc.test.EchoRequest;
import dev.bulwark.grpc.test.TestEchoService;
import io.grpc.ClientInterceptors;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
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
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
        List<AutoCloseable> open = new ArrayList<>();
        try {
            BulwarkServer b = BulwarkServer.builder().bind("127.0.0.1", 0).service(new TestEchoService("b"))
                    .interceptor(capture).interceptor(grpc.serverInterceptor()).drain(Duration.ZERO, Duration.ofSeconds(1))
                    .build().start();
            open.add(b);
            ManagedChannel toB = Grpc.newChannelBuilder("127.0.0.1:" + b.port(), InsecureChannelCredentials.create()).build();
            open.add(toB::shutdownNow);
            BulwarkServer a = BulwarkServer.builder().bind("127.0.0.1", 0)
                    .service(new ForwardingEchoService(ClientInterceptors.intercept(toB, grpc.clientInterceptor())))
                    .interceptor(grpc.serverInterceptor()).drain(Duration.ZERO, Duration.ofSeconds(1)).build().start();
            open.add(a);
            ManagedChannel toA = Grpc.newChannelBuilder("127.0.0.1:" + a.port(), InsecureChannelCredentials.create()).build();
            open.add(toA::shutdownNow);
            EchoGrpc.EchoBlockingStub aStub = EchoGrpc.newBlockingStub(ClientInterceptors.intercept(toA, grpc.clientInterceptor()));

            HttpServer web = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            web.createContext("/", exchange -> {
                byte[] body = aStub.withDeadlineAfter(5, TimeUnit.SECONDS)
                        .unary(EchoRequest.newBuilder().setMessage("hello").build()).getMessage().getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            }).getFilters().add(HttpTracing.create(otel).serverFilter());
            web.start();
            open.add(() -> web.stop(0));

            HttpResponse<String> answer = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + web.getAddress().getPort() + "/hello"))
                    .header("traceparent", "00-" + TRACE + "-" + CALLER_SPAN + "-00").build(), HttpResponse.BodyHandlers.ofString());

            assertThat(answer.body()).isEqualTo("via a: hello");
            assertThat(received.get()).as("what the last server received").isEqualTo("00-" + TRACE + "-" + CALLER_SPAN + "-00");
            otel.getSdkTracerProvider().forceFlush().join(5, TimeUnit.SECONDS);
            assertThat(exported.getFinishedSpanItems()).as("spans recorded").isEmpty();
        } finally {
            for (int i = open.size() - 1; i >= 0; i--) {
                open.get(i).close();
            }
            otel.close();
        }
    }
}
