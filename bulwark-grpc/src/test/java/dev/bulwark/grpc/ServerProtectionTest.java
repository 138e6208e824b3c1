package dev.bulwark.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.bulwark.InvalidConfigException;
import dev.bulwark.grpc.server.BulwarkServer;
import dev.bulwark.grpc.server.ServerProtection;
import dev.bulwark.grpc.server.ServerStats;
import dev.bulwark.grpc.test.EchoGrpc;
import dev.bulwark.grpc.test.EchoReply;
import dev.bulwark.grpc.test.EchoRequest;
import dev.bulwark.grpc.test.TestEchoService;
import dev.bulwark.ratelimit.KeyedRateLimiter;
import dev.bulwark.ratelimit.TokenBucket;
import dev.bulwark.testing.VirtualScheduler;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A Bulwark server's protection on a real loopback server, called by plain grpc-java clients:
 * each limit refuses what is over it with the documented status, message and pushback, and
 * leaves what is under it untouched; streaming calls hold their permit for their whole life;
 * the deadline cap ends calls the client let run on. Token buckets run in virtual time.
 */
class ServerProtectionTest {
    private static final Metadata.Key<String> PUSHBACK = GrpcStatuses.RETRY_PUSHBACK;

    private final VirtualScheduler clock = new VirtualScheduler();
    private final List<ManagedChannel> channels = new ArrayList<>();
    private BulwarkServer server;
    private TestEchoService echo;

    private void start(UnaryOperator<ServerProtection.Builder> limits) {
        echo = new TestEchoService("guarded");
        server = BulwarkServer.builder().bind("127.0.0.1", 0).service(echo).drain(Duration.ZERO, Duration.ofSeconds(1))
                .protection(limits.apply(ServerProtection.builder()).build()).build().start();
    }

    private ManagedChannel channel() {
        ManagedChannel c = Grpc.newChannelBuilder("127.0.0.1:" + server.port(), InsecureChannelCredentials.create()).build();
        channels.add(c);
        return c;
    }

    private EchoGrpc.EchoBlockingStub stub(ManagedChannel c, String user) {
        EchoGrpc.EchoBlockingStub stub = EchoGrpc.newBlockingStub(c).withDeadlineAfter(5, TimeUnit.SECONDS);
        if (user == null) {
            return stub;
        }
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("x-user-id", Metadata.ASCII_STRING_MARSHALLER), user);
        return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }

    private static EchoRequest request(int delayMs) {
        return EchoRequest.newBuilder().setMessage("m").setDelayMs(delayMs).build();
    }

    @AfterEach
    void stop() {
        channels.forEach(ManagedChannel::shutdownNow);
        if (server != null) {
            server.close();
        }
    }

    private static void refused(Runnable call, String containing, boolean pushback) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
            assertThat(e.getStatus().getDescription()).contains(containing);
            if (pushback) {
                assertThat(Long.parseLong(e.getTrailers().get(PUSHBACK))).isPositive();
            } else {
                assertThat(e.getTrailers().get(PUSHBACK)).isNull();
            }
        });
    }

    @Test
    void rateLimitsOverallPerMethodAndPerKey() {
        start(b -> b.rateLimit(TokenBucket.builder("server-rate").permitsPerSecond(1).burst(6).scheduler(clock).build())
                .rateLimit("bulwark.test.Echo/Unary", TokenBucket.builder("unary-rate").permitsPerSecond(1).burst(4).scheduler(clock).build())
                .rateLimitPerKey("x-user-id", KeyedRateLimiter.<String>builder("per-user")
                        .limiter(k -> TokenBucket.builder("user").permitsPerSecond(1).burst(2).scheduler(clock).build()).build()));
        ManagedChannel c = channel();
        // Checked per key, then per method, then overall: a call one limit refuses costs the others nothing.
        stub(c, "ada").unary(request(0));
        stub(c, "ada").unary(request(0));
        refused(() -> stub(c, "ada").unary(request(0)), "user", true);
        stub(c, "bob").unary(request(0));
        stub(c, "bob").unary(request(0));
        refused(() -> stub(c, "cy").unary(request(0)), "unary-rate", true);
        stub(c, "cy").serverStream(request(0).toBuilder().setReplies(1).build()).forEachRemaining(r -> { });
        stub(c, "dee").serverStream(request(0).toBuilder().setReplies(1).build()).forEachRemaining(r -> { });
        refused(() -> stub(c, "eve").serverStream(request(0).toBuilder().setReplies(1).build()).forEachRemaining(r -> { }),
                "server-rate", true);
        assertThat(echo.calls()).as("refused calls never reach the handler").isEqualTo(6);

        clock.advance(Duration.ofSeconds(10));
        assertThat(stub(c, "ada").unary(request(0)).getServer()).as("under the limits again").isEqualTo("guarded");
        ServerStats stats = server.stats();
        assertThat(stats.rejections()).containsEntry("rate:key", 1L).containsEntry("rate:bulwark.test.Echo/Unary", 1L)
                .containsEntry("rate", 1L);
        // The server counts a call when it has closed on its side, which may be just after the client has the reply.
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            ServerStats now = server.stats();
            assertThat(now.calls()).isEqualTo(10);
            assertThat(now.errors()).isEqualTo(3);
            assertThat(now.errorRate()).isEqualTo(0.3);
        });
    }

    @Test
    void concurrencyCapsCountStreamingCallsForTheirWholeLife() throws Exception {
        start(b -> b.maxConcurrentCalls(2).maxConcurrentCalls("bulwark.test.Echo/Bidi", 1));
        ManagedChannel c = channel();
        CallKinds.Collector first = new CallKinds.Collector();
        StreamObserver<EchoRequest> open = EchoGrpc.newStub(c).bidi(first);
        open.onNext(request(0));
        await().atMost(Duration.ofSeconds(5)).until(() -> first.received.size() == 1);

        CallKinds.Collector second = new CallKinds.Collector();
        EchoGrpc.newStub(c).bidi(second).onNext(request(0));
        assertThatThrownBy(() -> second.done.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(StatusRuntimeException.class)
                .cause().satisfies(e -> {
                    assertThat(Status.fromThrowable(e).getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
                    assertThat(Status.fromThrowable(e).getDescription()).contains("bulwark.test.Echo/Bidi").contains("1 concurrent");
                });

        var slow = EchoGrpc.newFutureStub(c).unary(request(800));
        await().atMost(Duration.ofSeconds(5)).until(() -> server.activeCalls() == 2);
        refused(() -> stub(c, null).unary(request(0)), "2 concurrent calls", false);

        open.onCompleted();
        first.done.get(5, TimeUnit.SECONDS);
        assertThat(stub(c, null).unary(request(0)).getServer()).as("the stream's permit came back at its end").isEqualTo("guarded");
        assertThat(slow.get(5, TimeUnit.SECONDS).getServer()).isEqualTo("guarded");
        await().atMost(Duration.ofSeconds(5)).until(() -> server.activeCalls() == 0);
        assertThat(server.stats().rejections()).containsEntry("concurrency", 1L).containsEntry("concurrency:bulwark.test.Echo/Bidi", 1L);
    }

    @Test
    void theDeadlineCapEndsCallsTheClientLetRunOn() {
        start(b -> b.maxDeadline(Duration.ofMillis(300)));
        ManagedChannel c = channel();
        long start = System.nanoTime();
        assertThatThrownBy(() -> EchoGrpc.newBlockingStub(c).unary(request(3000)))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
                    assertThat(e.getStatus().getDescription()).contains("maxDeadline");
                });
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
        EchoReply reply = EchoGrpc.newBlockingStub(c).withDeadlineAfter(5, TimeUnit.SECONDS).unary(request(0));
        long serverSaw = reply.getHeadersList().stream().filter(h -> h.startsWith("deadline-ms="))
                .mapToLong(h -> Long.parseLong(h.substring(12))).findFirst().orElseThrow();
        assertThat(serverSaw).as("the handler's deadline is the earlier one").isLessThanOrEqualTo(300);
        EchoReply tighter = EchoGrpc.newBlockingStub(c).withDeadlineAfter(100, TimeUnit.MILLISECONDS).unary(request(0));
        assertThat(tighter.getServer()).isEqualTo("guarded");
        await().atMost(Duration.ofSeconds(5)).until(() -> server.activeCalls() == 0);
    }

    @Test
    void connectionsOverTheCapAreClosedAsTheyAreAccepted() {
        echo = new TestEchoService("capped");
        server = BulwarkServer.builder().bind("127.0.0.1", 0).service(echo).drain(Duration.ZERO, Duration.ofSeconds(1))
                .maxConnections(2).build().start();
        ManagedChannel a = channel();
        ManagedChannel b = channel();
        assertThat(stub(a, null).unary(request(0)).getServer()).isEqualTo("capped");
        assertThat(stub(b, null).unary(request(0)).getServer()).isEqualTo("capped");
        ManagedChannel third = channel();
        assertThatThrownBy(() -> stub(third, null).withDeadlineAfter(2, TimeUnit.SECONDS).unary(request(0)))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isIn(Status.Code.UNAVAILABLE, Status.Code.DEADLINE_EXCEEDED));
        assertThat(server.stats().rejections().get("connections")).isPositive();
        assertThat(server.stats().activeConnections()).isEqualTo(2);
        a.shutdownNow();
        await().atMost(Duration.ofSeconds(5)).until(() -> server.stats().activeConnections() == 1);
        third.resetConnectBackoff();
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
                .until(() -> stub(third, null).unary(request(0)).getServer().equals("capped"));
    }

    @Test
    void badLimitsFailNamingTheField() {
        assertThatThrownBy(() -> ServerProtection.builder().maxConcurrentCalls(0))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.field()).isEqualTo("maxConcurrentCalls"));
        assertThatThrownBy(() -> ServerProtection.builder().maxConcurrentCalls("Echo.Unary", 5))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.field()).isEqualTo("maxConcurrentCalls.method"));
        assertThatThrownBy(() -> ServerProtection.builder().maxConcurrentCalls(5).maxConcurrentCalls("a.B/C", 10).build())
                .as("a method cap above the server's can never be reached")
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.field()).isEqualTo("maxConcurrentCalls[a.B/C]"));
        assertThatThrownBy(() -> ServerProtection.builder().maxDeadline(Duration.ZERO))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.field()).isEqualTo("maxDeadline"));
        assertThatThrownBy(() -> BulwarkServer.builder().maxConnections(0))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.field()).isEqualTo("maxConnections"));
    }

    @Test
    void aServerThatCannotBindLeavesNoThreadBehind() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            BulwarkServer.Builder b = BulwarkServer.builder().bind("127.0.0.1", taken.getLocalPort())
                    .service(new TestEchoService("late")).maxConnections(5);
            assertThatThrownBy(() -> b.build().start()).isInstanceOf(java.io.UncheckedIOException.class)
                    .hasMessageContaining(String.valueOf(taken.getLocalPort()));
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> Thread.getAllStackTraces().keySet().stream()
                .noneMatch(t -> t.isAlive() && !t.isDaemon() && t.getName().startsWith("multiThreadIoEventLoopGroup")));
    }
}
