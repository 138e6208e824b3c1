package dev.bulwark.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.discovery.InMemoryRegistry;
import dev.bulwark.discovery.ServiceDiscovery;
import dev.bulwark.grpc.client.BulwarkChannel;
import dev.bulwark.grpc.server.BulwarkServer;
import dev.bulwark.grpc.test.EchoGrpc;
import dev.bulwark.grpc.test.EchoRequest;
import dev.bulwark.grpc.test.TestEchoService;
import dev.bulwark.testing.tls.TestCertificates;
import io.grpc.ChannelCredentials;
import io.grpc.ServerCredentials;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import io.grpc.TlsServerCredentials;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS and mutual TLS between a Bulwark server and a Bulwark channel, with a CA and certificates
 * made for the test: a channel trusting the CA calls a TLS server; a server requiring client
 * certificates serves a channel that presents one and refuses one that does not.
 */
class TlsTest {
    @TempDir
    static Path dir;

    private static TestCertificates certs() throws IOException {
        return TestCertificates.create(dir.resolve("certs"));
    }

    private static String callThrough(ChannelCredentials credentials, BulwarkServer server) throws InterruptedException {
        InMemoryRegistry registry = InMemoryRegistry.create();
        registry.register(server.instances().get(0));
        try (ServiceDiscovery discovery = ServiceDiscovery.builder(registry).build()) {
            BulwarkChannel channel = BulwarkChannel.builder("secure", discovery).credentials(credentials).authority("localhost").build();
            try {
                return EchoGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
                        .unary(EchoRequest.newBuilder().setMessage("over tls").build()).getServer();
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
    }

    @Test
    void tlsAndMutualTls() throws Exception {
        TestCertificates certs = certs();
        ServerCredentials tls = TlsServerCredentials.create(certs.serverCert().toFile(), certs.serverKey().toFile());
        try (BulwarkServer server = BulwarkServer.builder().bind("127.0.0.1", 0).service("secure", new TestEchoService("tls"))
                .credentials(tls).drain(Duration.ZERO, Duration.ofSeconds(1)).build().start()) {
            ChannelCredentials trusting = TlsChannelCredentials.newBuilder().trustManager(certs.caCert().toFile()).build();
            assertThat(callThrough(trusting, server)).isEqualTo("tls");
        }

        ServerCredentials mutual = TlsServerCredentials.newBuilder()
                .keyManager(certs.serverCert().toFile(), certs.serverKey().toFile())
                .trustManager(certs.caCert().toFile())
                .clientAuth(TlsServerCredentials.ClientAuth.REQUIRE).build();
        try (BulwarkServer server = BulwarkServer.builder().bind("127.0.0.1", 0).service("secure", new TestEchoService("mtls"))
                .credentials(mutual).drain(Duration.ZERO, Duration.ofSeconds(1)).build().start()) {
            ChannelCredentials withCertificate = TlsChannelCredentials.newBuilder().trustManager(certs.caCert().toFile())
                    .keyManager(certs.clientCert().toFile(), certs.clientKey().toFile()).build();
            assertThat(callThrough(withCertificate, server)).isEqualTo("mtls");

            ChannelCredentials without = TlsChannelCredentials.newBuilder().trustManager(certs.caCert().toFile()).build();
            assertThatThrownBy(() -> callThrough(without, server)).isInstanceOfSatisfying(StatusRuntimeException.class,
                    e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
        }
    }
}
