package dev.bulwark.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.bulwark.InvalidConfigException;
import dev.bulwark.discovery.Health;
import dev.bulwark.discovery.InMemoryRegistry;
import dev.bulwark.discovery.ServiceDiscovery;
import dev.bulwark.discovery.ServiceInstance;
import dev.bulwark.grpc.client.BulwarkChannel;
import dev.bulwark.grpc.server.BulwarkServer;
import dev.bulwark.grpc.test.EchoGrpc;
import dev.bulwark.grpc.test.EchoRequest;
import dev.bulwark.grpc.test.EchoServers;
import dev.bulwark.grpc.test.TestEchoService;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A Bulwark server's health: its probes drive the standard health service per service and
 * overall, and the registered instance's health, so discovery stops sending callers to a server
 * whose database is down and sends them again once it recovers. Reflection lists the services.
 */
class ServerHealthTest {
    private final InMemoryRegistry registry = InMemoryRegistry.create();
    private final EchoServers servers = new EchoServers(registry, "echo");
    private ManagedChannel direct;

    @AfterEach
    void stop() {
        if (direct != null) {
            direct.shutdownNow();
        }
        servers.close();
    }

    private ServingStatus status(String service) {
        return HealthGrpc.newBlockingStub(direct).withDeadlineAfter(5, TimeUnit.SECONDS)
                .check(HealthCheckRequest.newBuilder().setService(service).build()).getStatus();
    }

    @Test
    void aFailingProbeTakesTheServerOutOfDiscoveryUntilItPassesAgain() throws Exception {
        AtomicBoolean databaseUp = new AtomicBoolean(true);
        servers.start("with-db", b -> b.healthInterval(Duration.ofMillis(50))
                .healthCheck("database", () -> {
                    if (!databaseUp.get()) {
                        throw new IllegalStateException("connection refused");
                    }
                }, Duration.ofMillis(40)));
        servers.start("other");
        direct = Grpc.newChannelBuilder(servers.address("with-db"), InsecureChannelCredentials.create()).build();
        assertThat(status("")).isEqualTo(ServingStatus.SERVING);
        assertThat(status("bulwark.test.Echo")).isEqualTo(ServingStatus.SERVING);

        try (ServiceDiscovery discovery = ServiceDiscovery.builder(registry).build()) {
            BulwarkChannel channel = BulwarkChannel.builder("echo", discovery).build();
            await().atMost(Duration.ofSeconds(5)).until(() -> channel.endpoints().size() == 2);

            databaseUp.set(false);
            await().atMost(Duration.ofSeconds(5)).until(() -> status("") == ServingStatus.NOT_SERVING);
            assertThat(status("bulwark.test.Echo")).isEqualTo(ServingStatus.NOT_SERVING);
            assertThat(servers.server("with-db").failingProbes()).containsEntry("database", "java.lang.IllegalStateException: connection refused");
            await().atMost(Duration.ofSeconds(5)).until(() -> registry.list("echo").stream()
                    .anyMatch(i -> i.health() == Health.DOWN));
            await().atMost(Duration.ofSeconds(5)).until(() -> channel.endpoints().size() == 1);
            for (int i = 0; i < 10; i++) {
                assertThat(EchoGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
                        .unary(EchoRequest.newBuilder().build()).getServer()).isEqualTo("other");
            }

            databaseUp.set(true);
            await().atMost(Duration.ofSeconds(5)).until(() -> status("") == ServingStatus.SERVING);
            await().atMost(Duration.ofSeconds(5)).until(() -> channel.endpoints().size() == 2);
            channel.shutdownNow();
        }
    }

    @Test
    void aProbeThatOverrunsItsTimeoutFailsAndSpeaksOnlyForItsServices() throws Exception {
        CompletableFuture<Void> never = new CompletableFuture<>();
        servers.start("stuck", b -> b.healthInterval(Duration.ofMillis(50))
                .healthCheck("cache", () -> never.get(), Duration.ofMillis(20), "bulwark.test.Echo"));
        direct = Grpc.newChannelBuilder(servers.address("stuck"), InsecureChannelCredentials.create()).build();
        await().atMost(Duration.ofSeconds(5)).until(() -> status("bulwark.test.Echo") == ServingStatus.NOT_SERVING);
        assertThat(servers.server("stuck").failingProbes().get("cache")).contains("20 ms");
        assertThat(status("")).as("overall: every probe must pass").isEqualTo(ServingStatus.NOT_SERVING);
        never.complete(null);
        await().atMost(Duration.ofSeconds(5)).until(() -> status("bulwark.test.Echo") == ServingStatus.SERVING);
    }

    @Test
    void reflectionListsTheServices() throws Exception {
        servers.start("r");
        direct = Grpc.newChannelBuilder(servers.address("r"), InsecureChannelCredentials.create()).build();
        CompletableFuture<List<String>> listed = new CompletableFuture<>();
        StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc.newStub(direct).serverReflectionInfo(
                new StreamObserver<>() {
                    @Override
                    public void onNext(ServerReflectionResponse value) {
                        listed.complete(value.getListServicesResponse().getServiceList().stream()
                                .map(s -> s.getName()).toList());
                    }

                    @Override
                    public void onError(Throwable t) {
                        listed.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                    }
                });
        requests.onNext(ServerReflectionRequest.newBuilder().setListServices("*").build());
        assertThat(listed.get(5, TimeUnit.SECONDS)).contains("bulwark.test.Echo", "grpc.health.v1.Health");
        requests.onCompleted();
    }

    @Test
    void theRegisteredInstanceCarriesTheServersDetailsAndKeepsItsTtlAlive() {
        servers.start("ttl", b -> b.instance(i -> i.version("1.4.2").zone("eu-west-1a").weight(3)
                .ttl(Duration.ofMillis(300))));
        ServiceInstance registered = registry.list("echo").get(0);
        assertThat(registered.protocol()).isEqualTo("grpc");
        assertThat(registered.version()).isEqualTo("1.4.2");
        assertThat(registered.zone()).isEqualTo("eu-west-1a");
        assertThat(registered.weight()).isEqualTo(3);
        assertThat(registered.address()).isEqualTo(servers.address("ttl"));
        await().pollDelay(Duration.ofMillis(900)).atMost(Duration.ofSeconds(3))
                .until(() -> registry.list("echo").size() == 1); // three TTLs later, heartbeats kept it
    }

    @Test
    void badSettingsFailAtBuildNamingTheField() {
        assertThatThrownBy(() -> BulwarkServer.builder().build())
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.field()).isEqualTo("services"));
        assertThatThrownBy(() -> BulwarkServer.builder().bind("127.0.0.1", 70000))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.field()).isEqualTo("bind.port"));
        assertThatThrownBy(() -> BulwarkServer.builder().service(new TestEchoService("a")).service(new TestEchoService("b")))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.getMessage()).contains("bulwark.test.Echo"));
        assertThatThrownBy(() -> BulwarkServer.builder().service(new TestEchoService("a"))
                .healthCheck("db", () -> { }, Duration.ofSeconds(1), "no.such.Service").build())
                .isInstanceOfSatisfying(InvalidConfigException.class,
                        e -> assertThat(e.field()).isEqualTo("healthCheck.db.services"));
        assertThatThrownBy(() -> BulwarkServer.builder().service(new TestEchoService("a")).healthInterval(Duration.ofSeconds(1))
                .healthCheck("db", () -> { }, Duration.ofSeconds(2)).build())
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> {
                    assertThat(e.field()).isEqualTo("healthCheck.db.timeout");
                    assertThat(e.getMessage()).contains("healthInterval");
                });
        assertThatThrownBy(() -> BulwarkServer.builder().service(new TestEchoService("a")).registry(registry)
                .advertise("0.0.0.0").build())
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.field()).isEqualTo("advertise"));
        assertThatThrownBy(() -> BulwarkServer.builder().service(new TestEchoService("a")).drain(Duration.ofSeconds(-1), Duration.ZERO))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.field()).isEqualTo("drain.propagationDelay"));
        assertThatThrownBy(() -> BulwarkServer.builder().service(new TestEchoService("a"))
                .instance(i -> i.weight(-1)).build())
                .as("the instance's details are checked at build").isInstanceOf(InvalidConfigException.class);
    }
}
