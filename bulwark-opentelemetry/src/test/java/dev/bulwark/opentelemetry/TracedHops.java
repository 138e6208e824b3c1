package dev.bulwark.opentelemetry;

import com.sun.net.httpserver.HttpServer;
import dev.bulwark.grpc.server.BulwarkServer;
import dev.bulwark.grpc.test.EchoGrpc;
import dev.bulwark.grpc.test.EchoRequest;
import dev.bulwark.grpc.test.TestEchoService;
import io.grpc.ClientInterceptors;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ServerInterceptor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A request's path across services, each hop traced: an HTTP server (OpenTelemetry's server
 * filter) whose handler calls gRPC server A through a traced channel, whose handler calls gRPC
 * server B the same way; B answers "b", A prefixes "via a: ". All on loopback, free ports.
 */
final class TracedHops implements AutoCloseable {
    private final List<AutoCloseable> open = new ArrayList<>();
    private final HttpServer web;

    /** {@code atB} run on B before its tracing interceptor (to see what arrived). */
    TracedHops(GrpcTracing grpc, HttpTracing http, ServerInterceptor... atB) throws IOException {
        try {
            BulwarkServer.Builder bBuilder = BulwarkServer.builder().bind("127.0.0.1", 0).service(new TestEchoService("b"));
            for (ServerInterceptor interceptor : atB) {
                bBuilder.interceptor(interceptor);
            }
            BulwarkServer b = bBuilder.interceptor(grpc.serverInterceptor()).drain(Duration.ZERO, Duration.ofSeconds(1)).build().start();
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

            web = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            web.createContext("/", exchange -> {
                byte[] body = aStub.withDeadlineAfter(5, TimeUnit.SECONDS)
                        .unary(EchoRequest.newBuilder().setMessage("hello").build()).getMessage().getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(200, body.length);
                exchange.getResponseBody().write(body);
                exchange.close();
            }).getFilters().add(http.serverFilter());
            web.start();
            open.add(() -> web.stop(0));
        } catch (IOException | RuntimeException e) {
            close();
            throw e;
        }
    }

    /** The HTTP server's port, where the path starts. */
    int webPort() {
        return web.getAddress().getPort();
    }

    @Override
    public void close() {
        for (int i = open.size() - 1; i >= 0; i--) {
            try {
                open.get(i).close();
            } catch (Exception e) {
                throw new IllegalStateException("closing a hop failed", e);
            }
        }
        open.clear();
    }
}
