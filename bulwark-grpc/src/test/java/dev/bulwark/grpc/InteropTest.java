package dev.bulwark.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.discovery.InMemoryRegistry;
import dev.bulwark.discovery.ServiceDiscovery;
import dev.bulwark.discovery.ServiceInstance;
import dev.bulwark.grpc.client.BulwarkChannel;
import dev.bulwark.grpc.server.BulwarkServer;
import dev.bulwark.grpc.test.TestEchoService;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Bulwark's server and channel speak plain gRPC: a plain grpc-java client calls a Bulwark server,
 * and a Bulwark channel calls a plain grpc-java server, with all four call kinds, metadata, status
 * codes and messages, trailers, deadlines and cancellation arriving as sent. Real Netty servers on
 * loopback.
 */
class InteropTest {

    @Test
    void aPlainGrpcJavaClientCallsABulwarkServer() throws Exception {
        TestEchoService echo = new TestEchoService("bulwark-server");
        try (BulwarkServer server = BulwarkServer.builder().bind("127.0.0.1", 0).service(echo)
                .drain(Duration.ZERO, Duration.ofSeconds(1)).build().start()) {
            ManagedChannel plain = Grpc.newChannelBuilderForAddress("127.0.0.1", server.port(), InsecureChannelCredentials.create())
                    .build();
            try {
                CallKinds.allWork(plain, echo);
            } finally {
                plain.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void aBulwarkChannelCallsAPlainGrpcJavaServer() throws Exception {
        TestEchoService echo = new TestEchoService("plain-server");
        Server plain = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create()).addService(echo).build().start();
        InMemoryRegistry registry = InMemoryRegistry.create();
        registry.register(ServiceInstance.builder("echo", "127.0.0.1", plain.getPort()).protocol("grpc").build());
        try (ServiceDiscovery discovery = ServiceDiscovery.builder(registry).build()) {
            BulwarkChannel channel = BulwarkChannel.builder("echo", discovery).build();
            try {
                CallKinds.allWork(channel, echo);
                assertThat(channel.endpoints()).singleElement().satisfies(e -> {
                    assertThat(e.address()).isEqualTo("127.0.0.1:" + plain.getPort());
                    assertThat(e.successes()).as("every call's outcome reached the endpoint's statistics").isGreaterThanOrEqualTo(5);
                    assertThat(e.inFlight()).isZero();
                });
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
                plain.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }
}
