package dev.bulwark.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.common.util.concurrent.ListenableFuture;
import dev.bulwark.grpc.server.BulwarkServer;
import dev.bulwark.grpc.test.EchoGrpc;
import dev.bulwark.grpc.test.EchoReply;
import dev.bulwark.grpc.test.EchoRequest;
import dev.bulwark.grpc.test.TestEchoService;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Calls between a real gRPC client and server, metered on both sides: by method and status, with histograms; in flight. */
class GrpcMetersTest {
    private final SimpleMeterRegistry clientMeters = new SimpleMeterRegistry();
    private final SimpleMeterRegistry serverMeters = new SimpleMeterRegistry();
    private BulwarkServer server;
    private ManagedChannel channel;
    private EchoGrpc.EchoBlockingStub stub;
    private EchoGrpc.EchoFutureStub futures;

    @BeforeEach
    void start() {
        server = BulwarkServer.builder().bind("127.0.0.1", 0).service(new TestEchoService("metered"))
                .interceptor(GrpcMeters.create(serverMeters).serverInterceptor())
                .drain(Duration.ZERO, Duration.ofSeconds(1)).build().start();
        channel = Grpc.newChannelBuilder("127.0.0.1:" + server.port(), InsecureChannelCredentials.create()).build();
        Channel metered = ClientInterceptors.intercept(channel, GrpcMeters.create(clientMeters).clientInterceptor());
        stub = EchoGrpc.newBlockingStub(metered).withDeadlineAfter(10, TimeUnit.SECONDS);
        futures = EchoGrpc.newFutureStub(metered);
    }

    @AfterEach
    void stop() {
        channel.shutdownNow();
        server.close();
    }

    private static Timer timer(MeterRegistry registry, String side, String status) {
        return registry.get("bulwark.grpc." + side + ".requests")
                .tags("service", "bulwark.test.Echo", "method", "Unary", "status", status).timer();
    }

    @Test
    void bothSidesTimeEachCallByMethodAndStatus() {
        stub.unary(EchoRequest.newBuilder().setMessage("a").build());
        stub.unary(EchoRequest.newBuilder().setMessage("b").build());
        assertThatThrownBy(() -> stub.unary(EchoRequest.newBuilder().setFailCode(Status.Code.UNAVAILABLE.value()).build()))
                .isInstanceOf(StatusRuntimeException.class);

        assertThat(timer(clientMeters, "client", "OK").count()).isEqualTo(2);
        assertThat(timer(clientMeters, "client", "UNAVAILABLE").count()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(timer(serverMeters, "server", "OK").count()).isEqualTo(2);
            assertThat(timer(serverMeters, "server", "UNAVAILABLE").count()).isEqualTo(1);
        });
    }

    @Test
    void theActiveGaugesCountCallsInFlightOnBothSides() throws Exception {
        ListenableFuture<EchoReply> slow = futures.withDeadlineAfter(10, TimeUnit.SECONDS)
                .unary(EchoRequest.newBuilder().setMessage("slow").setDelayMs(700).build());
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(active(clientMeters, "client")).isEqualTo(1);
            assertThat(active(serverMeters, "server")).isEqualTo(1);
        });
        assertThat(slow.get(10, TimeUnit.SECONDS).getMessage()).contains("slow");
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(active(clientMeters, "client")).isZero();
            assertThat(active(serverMeters, "server")).isZero();
        });
    }

    @Test
    void aCancelledCallLeavesTheActiveGaugesAtZero() {
        ListenableFuture<EchoReply> slow = futures.unary(EchoRequest.newBuilder().setMessage("slow").setDelayMs(5_000).build());
        await().atMost(Duration.ofSeconds(5)).until(() -> active(serverMeters, "server") == 1);
        slow.cancel(true);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(active(clientMeters, "client")).isZero();
            assertThat(active(serverMeters, "server")).isZero();
            assertThat(timer(clientMeters, "client", "CANCELLED").count()).isEqualTo(1);
            assertThat(timer(serverMeters, "server", "CANCELLED").count()).as("the handler never sent a status").isEqualTo(1);
        });
    }

    private static double active(MeterRegistry registry, String side) {
        return registry.get("bulwark.grpc." + side + ".requests.active").tags("service", "bulwark.test.Echo", "method", "Unary").gauge().value();
    }
}
