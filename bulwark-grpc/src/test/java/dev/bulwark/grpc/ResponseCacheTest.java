package dev.bulwark.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.discovery.InMemoryRegistry;
import dev.bulwark.discovery.ServiceDiscovery;
import dev.bulwark.grpc.client.BulwarkChannel;
import dev.bulwark.grpc.client.ResponseCache;
import dev.bulwark.grpc.test.EchoGrpc;
import dev.bulwark.grpc.test.EchoReply;
import dev.bulwark.grpc.test.EchoRequest;
import dev.bulwark.grpc.test.EchoServers;
import dev.bulwark.grpc.test.TestEchoService;
import dev.bulwark.testing.FakeTicker;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The client response cache against a real server: hits, freshness on a fake ticker, single
 * flight, no caching of errors, of methods not marked cacheable, or of answers the server marks
 * no-store; a max-age the server sets; stale answers when a fresh call fails.
 */
class ResponseCacheTest {
    private final FakeTicker ticker = new FakeTicker();
    private final InMemoryRegistry registry = InMemoryRegistry.create();
    private final EchoServers servers = new EchoServers(registry, "echo");
    private final ServiceDiscovery discovery = ServiceDiscovery.builder(registry).build();
    private ResponseCache cache;
    private BulwarkChannel channel;
    private TestEchoService echo;

    @BeforeEach
    void start() {
        echo = servers.start("cached");
        cache = ResponseCache.builder().ttl(Duration.ofSeconds(30)).staleIfError(Duration.ofMinutes(5)).ticker(ticker)
                .forMethods(m -> m.getFullMethodName().equals("bulwark.test.Echo/Unary")).build();
        channel = BulwarkChannel.builder("echo", discovery).responseCache(cache).build();
    }

    @AfterEach
    void stop() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        discovery.close();
        servers.close();
    }

    private EchoGrpc.EchoBlockingStub stub() {
        return EchoGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS);
    }

    private static EchoRequest ask(String message) {
        return EchoRequest.newBuilder().setMessage(message).build();
    }

    @Test
    void anIdenticalCallIsAnsweredFromMemoryUntilItGoesStale() {
        assertThat(stub().unary(ask("a")).getMessage()).isEqualTo("a");
        assertThat(stub().unary(ask("a")).getMessage()).isEqualTo("a");
        assertThat(stub().unary(ask("b")).getMessage()).isEqualTo("b");
        assertThat(echo.calls()).as("the second 'a' came from memory").isEqualTo(2);
        ticker.advance(Duration.ofSeconds(31));
        stub().unary(ask("a"));
        assertThat(echo.calls()).as("past its TTL").isEqualTo(3);
        assertThat(cache.stats().hits()).isEqualTo(1);
        assertThat(cache.stats().misses()).isEqualTo(3);
        assertThat(cache.stats().entries()).isEqualTo(2);
        stub().serverStream(ask("a").toBuilder().setReplies(1).build()).forEachRemaining(r -> { });
        stub().serverStream(ask("a").toBuilder().setReplies(1).build()).forEachRemaining(r -> { });
        assertThat(echo.calls()).as("streams and other methods are never cached").isEqualTo(5);
    }

    @Test
    void concurrentIdenticalCallsMakeOneCall() throws Exception {
        EchoRequest slow = ask("slow").toBuilder().setDelayMs(300).build();
        EchoGrpc.EchoFutureStub async = EchoGrpc.newFutureStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS);
        List<com.google.common.util.concurrent.ListenableFuture<EchoReply>> calls = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            calls.add(async.unary(slow));
        }
        for (var call : calls) {
            assertThat(call.get(5, TimeUnit.SECONDS).getMessage()).isEqualTo("slow");
        }
        assertThat(echo.calls()).as("one call served twenty").isEqualTo(1);
        assertThat(cache.stats().joined()).isEqualTo(19);
    }

    @Test
    void errorsAndNoStoreAnswersAreNotKeptAndMaxAgeIsHonoured() {
        EchoRequest failing = ask("f").toBuilder().setFailCode(Status.Code.NOT_FOUND.value()).build();
        assertThatThrownBy(() -> stub().unary(failing)).isInstanceOf(StatusRuntimeException.class);
        assertThatThrownBy(() -> stub().unary(failing)).isInstanceOf(StatusRuntimeException.class);
        assertThat(echo.calls()).as("errors are not kept").isEqualTo(2);

        assertThat(withCacheControl("no-store").unary(ask("n")).getMessage()).isEqualTo("n");
        withCacheControl("no-store").unary(ask("n"));
        assertThat(echo.calls()).as("no-store").isEqualTo(4);

        withCacheControl("max-age=5").unary(ask("m"));
        ticker.advance(Duration.ofSeconds(4));
        withCacheControl("max-age=5").unary(ask("m"));
        assertThat(echo.calls()).as("fresh for the 5 s the server said").isEqualTo(5);
        ticker.advance(Duration.ofSeconds(2));
        withCacheControl("max-age=5").unary(ask("m"));
        assertThat(echo.calls()).isEqualTo(6);
    }

    private EchoGrpc.EchoBlockingStub withCacheControl(String value) {
        Metadata headers = new Metadata();
        headers.put(Metadata.Key.of("x-cache-control", Metadata.ASCII_STRING_MARSHALLER), value);
        return stub().withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    }

    @Test
    void aStaleAnswerServesWhenAFreshCallFails() {
        stub().unary(ask("s"));
        ticker.advance(Duration.ofMinutes(1));
        echo.failAll(Status.Code.UNAVAILABLE);
        assertThat(stub().unary(ask("s")).getMessage()).as("stale, within its 5 minutes").isEqualTo("s");
        assertThat(cache.stats().staleServes()).isEqualTo(1);
        ticker.advance(Duration.ofMinutes(10));
        assertThatThrownBy(() -> stub().unary(ask("s"))).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
    }

    @Test
    void aShortDeadlineLeaderDoesNotFailTheCallersWaitingOnItsCall() throws Exception {
        EchoRequest slow = ask("shared").toBuilder().setDelayMs(500).build();
        var leader = EchoGrpc.newFutureStub(channel).withDeadlineAfter(100, TimeUnit.MILLISECONDS).unary(slow);
        var joiner = EchoGrpc.newFutureStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS).unary(slow);
        assertThatThrownBy(() -> leader.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(StatusRuntimeException.class)
                .cause().satisfies(e -> assertThat(Status.fromThrowable(e).getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
        assertThat(joiner.get(5, TimeUnit.SECONDS).getMessage()).isEqualTo("shared");
        assertThat(echo.calls()).isEqualTo(1);
    }

    @Test
    void namedHeadersArePartOfTheKey() throws InterruptedException {
        ResponseCache perTenant = ResponseCache.builder().keyHeaders("x-tenant").ticker(ticker)
                .forMethods(m -> m.getFullMethodName().equals("bulwark.test.Echo/Unary")).build();
        BulwarkChannel tenants = BulwarkChannel.builder("echo", discovery).responseCache(perTenant).build();
        try {
            for (String tenant : List.of("acme", "acme", "globex")) {
                Metadata headers = new Metadata();
                headers.put(Metadata.Key.of("x-tenant", Metadata.ASCII_STRING_MARSHALLER), tenant);
                EchoGrpc.newBlockingStub(tenants).withDeadlineAfter(5, TimeUnit.SECONDS)
                        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers)).unary(ask("t"));
            }
            assertThat(echo.calls()).as("one call per tenant").isEqualTo(2);
        } finally {
            tenants.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
