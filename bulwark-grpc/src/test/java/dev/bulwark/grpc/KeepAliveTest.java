package dev.bulwark.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bulwark.grpc.server.BulwarkServer;
import dev.bulwark.grpc.test.EchoGrpc;
import dev.bulwark.grpc.test.EchoRequest;
import dev.bulwark.grpc.test.TestEchoService;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * A plain grpc-java client pinging as often as grpc-java lets it (every 10 s, with no call in
 * flight): a server permitting that keeps the connection; one with grpc-java's default permit
 * (5 minutes) closes it with too_many_pings after the third ping. Real time is the point here, and
 * it takes about 70 s, so the test is opt-in: {@code -Dbulwark.slow=true}.
 */
@EnabledIfSystemProperty(named = "bulwark.slow", matches = "true", disabledReason = "takes 70 s of real keepalive pings: -Dbulwark.slow=true")
class KeepAliveTest {

    private static ManagedChannel pinging(BulwarkServer server) {
        return NettyChannelBuilder.forAddress("127.0.0.1", server.port(), InsecureChannelCredentials.create())
                .keepAliveTime(10, TimeUnit.SECONDS).keepAliveTimeout(5, TimeUnit.SECONDS).keepAliveWithoutCalls(true).build();
    }

    @Test
    void aServerPermittingTheClientsPingsKeepsItsConnection() {
        BulwarkServer permissive = BulwarkServer.builder().bind("127.0.0.1", 0).service(new TestEchoService("p"))
                .permitKeepAlive(Duration.ofSeconds(10), true).drain(Duration.ZERO, Duration.ofSeconds(1)).build().start();
        BulwarkServer strict = BulwarkServer.builder().bind("127.0.0.1", 0).service(new TestEchoService("s"))
                .drain(Duration.ZERO, Duration.ofSeconds(1)).build().start();
        ManagedChannel toPermissive = pinging(permissive);
        ManagedChannel toStrict = pinging(strict);
        try {
            EchoGrpc.newBlockingStub(toPermissive).unary(EchoRequest.newBuilder().build());
            EchoGrpc.newBlockingStub(toStrict).unary(EchoRequest.newBuilder().build());
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> strict.stats().activeConnections() == 0); // too_many_pings
            assertThat(permissive.stats().activeConnections()).as("the permissive server kept it").isEqualTo(1);
            await().pollDelay(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(10)).until(() -> true);
            assertThat(permissive.stats().activeConnections()).isEqualTo(1);
            assertThat(EchoGrpc.newBlockingStub(toPermissive).unary(EchoRequest.newBuilder().setMessage("still").build())
                    .getMessage()).isEqualTo("still");
        } finally {
            toPermissive.shutdownNow();
            toStrict.shutdownNow();
            permissive.close();
            strict.close();
        }
    }
}
