package dev.bulwark.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.grpc.server.BulwarkServer;
import dev.bulwark.grpc.server.ServerProtection;
import dev.bulwark.grpc.test.EchoGrpc;
import dev.bulwark.grpc.test.EchoRequest;
import dev.bulwark.grpc.test.TestEchoService;
import dev.bulwark.ratelimit.TokenBucket;
import dev.bulwark.testing.VirtualScheduler;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A real gRPC server's traffic, as Micrometer meters: calls, errors, refusals by kind, connections, buffers. */
class GrpcServerMetersTest {

    @Test
    void theServersCountersReachTheRegistry() {
        VirtualScheduler clock = new VirtualScheduler();
        BulwarkServer server = BulwarkServer.builder().bind("127.0.0.1", 0).service(new TestEchoService("metered"))
                .protection(ServerProtection.builder()
                        .rateLimit(TokenBucket.builder("server").permitsPerSecond(1).burst(3).scheduler(clock).build()).build())
                .drain(Duration.ZERO, Duration.ofSeconds(1)).build().start();
        ManagedChannel channel = Grpc.newChannelBuilder("127.0.0.1:" + server.port(), InsecureChannelCredentials.create()).build();
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        try (GrpcServerMeters meters = GrpcServerMeters.of(server, "echo")) {
            meters.bindTo(registry);
            EchoGrpc.EchoBlockingStub stub = EchoGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS);
            for (int i = 0; i < 3; i++) {
                stub.unary(EchoRequest.newBuilder().setMessage("m").build());
            }
            assertThatThrownBy(() -> stub.unary(EchoRequest.newBuilder().build())).isInstanceOf(StatusRuntimeException.class);

            assertThat(registry.get("bulwark.grpc.server.calls").tag("name", "echo").functionCounter().count()).isEqualTo(4);
            assertThat(registry.get("bulwark.grpc.server.errors").functionCounter().count()).isEqualTo(1);
            assertThat(registry.get("bulwark.grpc.server.rejections").tag("reason", "rate").functionCounter().count()).isEqualTo(1);
            assertThat(registry.get("bulwark.grpc.server.rejections").tag("reason", "concurrency").functionCounter().count()).isZero();
            assertThat(registry.get("bulwark.grpc.server.active.connections").gauge().value()).isEqualTo(1);
            assertThat(registry.get("bulwark.grpc.server.latency.p99").timeGauge().value(TimeUnit.NANOSECONDS)).isPositive();
            assertThat(registry.get("bulwark.grpc.server.buffers.used").tag("kind", "direct").gauge().value())
                    .as("the connection's buffers come from the pool").isPositive();
        } finally {
            channel.shutdownNow();
            server.close();
        }
        assertThat(registry.find("bulwark.grpc.server.calls").meters()).as("closing the binder removes its meters").isEmpty();
    }
}
