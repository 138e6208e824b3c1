package dev.bulwark.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.bulwark.CallContext;
import dev.bulwark.InvalidConfigException;
import dev.bulwark.balance.LoadBalancers;
import dev.bulwark.balance.Strategy;
import dev.bulwark.discovery.Health;
import dev.bulwark.discovery.InMemoryRegistry;
import dev.bulwark.discovery.ServiceDiscovery;
import dev.bulwark.discovery.ServiceInstance;
import dev.bulwark.grpc.client.BulwarkChannel;
import dev.bulwark.grpc.test.EchoGrpc;
import dev.bulwark.grpc.test.EchoReply;
import dev.bulwark.grpc.test.EchoRequest;
import dev.bulwark.grpc.test.EchoServers;
import dev.bulwark.time.Ticker;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A channel follows discovery: instances that register get calls, instances that leave or turn
 * DOWN stop getting them, instances of another protocol are never called; balancers spread calls
 * (round robin evenly) or pin them (consistent hash on a header, or on a {@code CallContext}'s key);
 * deadlines travel both ways between Bulwark's {@code CallContext} and gRPC's {@code Context}.
 */
class DiscoveryBalancingTest {
    private final InMemoryRegistry registry = InMemoryRegistry.create();
    private final EchoServers servers = new EchoServers(registry, "echo");
    private final ServiceDiscovery discovery = ServiceDiscovery.builder(registry).build();
    private BulwarkChannel channel;

    @AfterEach
    void stop() throws InterruptedException {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        discovery.close();
        servers.close();
    }

    private Map<String, Integer> spread(EchoGrpc.EchoBlockingStub stub, int calls) {
        Map<String, Integer> by = new HashMap<>();
        for (int i = 0; i < calls; i++) {
            by.merge(stub.withDeadlineAfter(5, TimeUnit.SECONDS).unary(EchoRequest.newBuilder().build()).getServer(), 1, Integer::sum);
        }
        return by;
    }

    @Test
    void theChannelFollowsDiscovery() {
        servers.start("a");
        servers.start("b");
        registry.register(ServiceInstance.builder("echo", "127.0.0.1", 1).id("http-one").protocol("http").build());
        channel = BulwarkChannel.builder("echo", discovery).build();
        await().atMost(Duration.ofSeconds(5)).until(() -> channel.endpoints().size() == 2);
        EchoGrpc.EchoBlockingStub stub = EchoGrpc.newBlockingStub(channel);
        assertThat(spread(stub, 40)).as("round robin, evenly; the http instance never").containsOnly(
                Map.entry("a", 20), Map.entry("b", 20));

        servers.start("c");
        await().atMost(Duration.ofSeconds(5)).until(() -> channel.endpoints().size() == 3);
        assertThat(spread(stub, 30)).containsKeys("a", "b", "c");

        ServiceInstance a = registry.list("echo").stream().filter(i -> i.address().equals(servers.address("a"))).findFirst().orElseThrow();
        registry.update(a.withHealth(Health.DOWN));
        await().atMost(Duration.ofSeconds(5)).until(() -> channel.endpoints().size() == 2);
        assertThat(spread(stub, 20)).doesNotContainKey("a");

        servers.server("b").drain();
        await().atMost(Duration.ofSeconds(5)).until(() -> channel.endpoints().size() == 1);
        assertThat(spread(stub, 10)).containsOnlyKeys("c");
    }

    @Test
    void anEmptyServiceFailsCallsNamingTheService() {
        channel = BulwarkChannel.builder("nobody", discovery).build();
        assertThatThrownBy(() -> EchoGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
                .unary(EchoRequest.newBuilder().build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                    assertThat(e.getStatus().getDescription()).contains("nobody");
                });
    }

    @Test
    void consistentHashPinsAKeyToOneServerByHeaderOrByCallContext() throws Exception {
        servers.start("a");
        servers.start("b");
        servers.start("c");
        channel = BulwarkChannel.builder("echo", discovery).balancer(Strategy.CONSISTENT_HASH).hashKeyHeader("x-user-id").build();
        await().atMost(Duration.ofSeconds(5)).until(() -> channel.endpoints().size() == 3);

        Set<String> servedByKey = new HashSet<>();
        Set<String> servedAtAll = new HashSet<>();
        for (int user = 0; user < 30; user++) {
            Metadata headers = new Metadata();
            headers.put(Metadata.Key.of("x-user-id", Metadata.ASCII_STRING_MARSHALLER), "user-" + user);
            EchoGrpc.EchoBlockingStub stub = EchoGrpc.newBlockingStub(channel)
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
            Map<String, Integer> spread = spread(stub, 5);
            assertThat(spread).as("user-" + user + " always on one server").hasSize(1);
            servedAtAll.addAll(spread.keySet());
            if (user == 7) {
                servedByKey.addAll(spread.keySet());
            }
        }
        assertThat(servedAtAll).as("keys spread over the servers").hasSize(3);

        CallContext user7 = CallContext.none().with(LoadBalancers.HASH_KEY, "user-7");
        EchoReply viaContext = GrpcContexts.attach(user7).call(() -> EchoGrpc.newBlockingStub(channel)
                .withDeadlineAfter(5, TimeUnit.SECONDS).unary(EchoRequest.newBuilder().build()));
        assertThat(servedByKey).containsExactly(viaContext.getServer());
    }

    @Test
    void aCallContextsDeadlineReachesTheServerAndTheServerReadsItBack() throws Exception {
        servers.start("a");
        channel = BulwarkChannel.builder("echo", discovery).build();
        CallContext tight = CallContext.withDeadline(Duration.ofMillis(700), Ticker.system());
        EchoReply reply = GrpcContexts.attach(tight).call(() -> EchoGrpc.newBlockingStub(channel)
                .withDeadlineAfter(30, TimeUnit.SECONDS).unary(EchoRequest.newBuilder().build()));
        long serverSaw = reply.getHeadersList().stream().filter(h -> h.startsWith("deadline-ms="))
                .mapToLong(h -> Long.parseLong(h.substring(12))).findFirst().orElseThrow();
        assertThat(serverSaw).as("the earlier of the two deadlines").isBetween(1L, 700L);

        assertThatThrownBy(() -> GrpcContexts.attach(CallContext.withDeadline(Duration.ofMillis(100), Ticker.system()))
                .call(() -> EchoGrpc.newBlockingStub(channel).unary(EchoRequest.newBuilder().setDelayMs(2000).build())))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));

        assertThat(GrpcContexts.current().hasDeadline()).isFalse();
        io.grpc.Context.CancellableContext serverSide = io.grpc.Context.current()
                .withDeadlineAfter(400, TimeUnit.MILLISECONDS, java.util.concurrent.Executors.newSingleThreadScheduledExecutor());
        try {
            long remaining = serverSide.call(() -> GrpcContexts.current().remainingNanos());
            assertThat(remaining).as("a handler's CallContext carries its call's deadline")
                    .isBetween(1L, TimeUnit.MILLISECONDS.toNanos(400));
        } finally {
            serverSide.cancel(null);
        }
        assertThat(GrpcContexts.deadline(CallContext.none())).isNull();
        assertThat(GrpcContexts.deadline(tight)).isNotNull();
    }

    @Test
    void badChannelSettingsFailNamingTheField() {
        assertThatThrownBy(() -> BulwarkChannel.builder("bad name", discovery))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.field()).isEqualTo("service"));
        BulwarkChannel.Builder b = BulwarkChannel.builder("echo", discovery);
        assertThatThrownBy(() -> b.keepAlive(Duration.ofSeconds(1), Duration.ofSeconds(5)))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> {
                    assertThat(e.field()).isEqualTo("keepAlive.time");
                    assertThat(e.getMessage()).contains("PT1S").contains("10 s");
                });
        assertThatThrownBy(() -> b.connectTimeout(Duration.ZERO))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.field()).isEqualTo("connectTimeout"));
        assertThatThrownBy(() -> b.connectionPool(100, 10, Duration.ofSeconds(1)))
                .isInstanceOfSatisfying(InvalidConfigException.class,
                        e -> assertThat(e.field()).isEqualTo("connectionPool.maxConnections"));
        assertThatThrownBy(() -> b.maxInboundMessageSize(0))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.field()).isEqualTo("maxInboundMessageSize"));
        assertThatThrownBy(() -> b.retryBufferSize(0))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.field()).isEqualTo("retryBufferSize"));
        assertThatThrownBy(() -> BulwarkChannel.builder("echo", discovery).keepAlive(Duration.ofMinutes(2), Duration.ofSeconds(5))
                .keepAliveWithoutCalls(true).idleTimeout(Duration.ofMinutes(1)).build())
                .as("a combination that can never work").isInstanceOfSatisfying(InvalidConfigException.class,
                        e -> assertThat(e.field()).isEqualTo("keepAliveWithoutCalls"));
    }
}
