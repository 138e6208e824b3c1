package dev.bulwark.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.bulwark.discovery.InMemoryRegistry;
import dev.bulwark.discovery.ServiceDiscovery;
import dev.bulwark.grpc.client.BulwarkChannel;
import dev.bulwark.grpc.server.BulwarkServer;
import dev.bulwark.grpc.test.EchoGrpc;
import dev.bulwark.grpc.test.EchoRequest;
import dev.bulwark.grpc.test.TestEchoService;
import dev.bulwark.http.ServiceClient;
import dev.bulwark.http.test.TestHttpServer;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A gRPC server and channel and an HTTP client built from configuration alone, on real servers. */
class TransportSettingsTest {
    private final InMemoryRegistry registry = InMemoryRegistry.create();
    private final ServiceDiscovery discovery = ServiceDiscovery.builder(registry).build();

    @AfterEach
    void close() {
        discovery.close();
    }

    @Test
    void theReferenceYamlRunsAServerAndAChannelAndItsRateLimitHolds() throws Exception {
        BulwarkConfig config = BulwarkConfig.loader().yaml(ConfigLoaderTest.resource("seed-framework.yaml"), "seed.yaml")
                .environment(Map.of("SERVER_ADDRESS", "127.0.0.1:0", "BULWARK_SERVER_PORT", "0", "SERVER_RATE_LIMIT", "2",
                        "BULWARK_SERVER_DRAIN_GRACE", "0s"))
                .load();
        try (BulwarkServer server = GrpcSettings.server(config).service("echo", new TestEchoService("configured"))
                .registry(registry).build().start()) {
            BulwarkChannel channel = GrpcSettings.channel(config, "echo", discovery).build();
            try {
                await().atMost(Duration.ofSeconds(5)).until(() -> !discovery.instances("echo").isEmpty());
                EchoGrpc.EchoBlockingStub stub = EchoGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
                assertThat(stub.unary(EchoRequest.newBuilder().setMessage("hello").build()).getMessage()).contains("hello");
            } finally {
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
            // rate_limit: 2 per second from SERVER_RATE_LIMIT: a burst of plain calls finds the limit.
            ManagedChannel plain = Grpc.newChannelBuilder("127.0.0.1:" + server.port(), InsecureChannelCredentials.create()).build();
            try {
                EchoGrpc.EchoBlockingStub stub = EchoGrpc.newBlockingStub(plain);
                assertThatThrownBy(() -> {
                    for (int i = 0; i < 20; i++) {
                        stub.withDeadlineAfter(5, TimeUnit.SECONDS).unary(EchoRequest.newBuilder().setMessage("m").build());
                    }
                }).isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED));
            } finally {
                plain.shutdownNow();
            }
        }
    }

    @Test
    void backgroundTasksAreSizedByTheConfigurationWhenEnabled() throws Exception {
        BulwarkConfig seed = BulwarkConfig.loader().yaml(ConfigLoaderTest.resource("seed-framework.yaml"), "seed.yaml").load();
        java.util.List<String> done = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (var tasks = GrpcSettings.tasks(seed, "jobs").orElseThrow()
                .handler("resize", (String payload) -> done.add(payload)).build()) {
            tasks.submit("resize", "photo-1").get(5, TimeUnit.SECONDS);
            assertThat(done).containsExactly("photo-1");
        }
        assertThat(GrpcSettings.tasks(BulwarkConfig.defaults(), "jobs")).isEmpty();
    }

    @Test
    void aBadServerCombinationNamesTheSection() {
        BulwarkConfig config = BulwarkConfig.loader().yaml("server:\n  address: \"localhost:http\"\n", "app.yaml").load();
        assertThatThrownBy(() -> GrpcSettings.server(config)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("server (address): localhost:http (app.yaml line 2, col 12)");
    }

    @Test
    void theHttpClientRetriesOnAnotherInstanceAsConfigured() {
        try (TestHttpServer good = TestHttpServer.start("good"); TestHttpServer bad = TestHttpServer.start("bad")) {
            good.register(registry, "users");
            bad.register(registry, "users");
            bad.failAll(503);
            BulwarkConfig config = BulwarkConfig.loader().yaml("""
                    breakers:
                      instances: {consecutive-failures: 2, open-for: 1m}
                    http:
                      timeout: 5s
                      max-attempts: 2
                      balancer: round_robin
                      breaker: instances
                    """, "app.yaml").load();
            try (ServiceClient client = HttpSettings.client(config, discovery).build()) {
                for (int i = 0; i < 6; i++) {
                    assertThat(client.get("users", "/echo").status()).isEqualTo(200);
                }
                assertThat(bad.calls()).as("its breaker opened after two failures").isEqualTo(2);
            }
        }
    }
}
