package dev.bulwark.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.bulwark.breaker.CircuitBreaker;
import dev.bulwark.breaker.CircuitBreakerConfig;
import dev.bulwark.breaker.CircuitBreakers;
import dev.bulwark.breaker.State;
import dev.bulwark.bulkhead.Bulkhead;
import dev.bulwark.bulkhead.BulkheadConfig;
import dev.bulwark.discovery.InMemoryRegistry;
import dev.bulwark.discovery.ServiceDiscovery;
import dev.bulwark.grpc.client.BulwarkChannel;
import dev.bulwark.grpc.client.EndpointStatus;
import dev.bulwark.grpc.test.EchoGrpc;
import dev.bulwark.grpc.test.EchoRequest;
import dev.bulwark.grpc.test.EchoServers;
import dev.bulwark.ratelimit.TokenBucket;
import dev.bulwark.registry.PolicyRegistry;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The breakers and limits of a Bulwark channel: an endpoint's breaker fed by its calls' statuses
 * (UNAVAILABLE counts, INVALID_ARGUMENT does not) takes it out of rotation; a method's breaker
 * fails its calls fast and takes a new config live; the rate limiter and bulkhead answer
 * RESOURCE_EXHAUSTED naming the limit. Real servers on loopback.
 */
class BreakersAndLimitsTest {
    private final InMemoryRegistry registry = InMemoryRegistry.create();
    private final EchoServers servers = new EchoServers(registry, "echo");
    private final ServiceDiscovery discovery = ServiceDiscovery.builder(registry).build();
    private BulwarkChannel channel;

    private BulwarkChannel channel(UnaryOperator<BulwarkChannel.Builder> settings) {
        channel = settings.apply(BulwarkChannel.builder("echo", discovery)).build();
        return channel;
    }

    @AfterEach
    void stop() throws InterruptedException {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        discovery.close();
        servers.close();
    }

    private static EchoRequest plain() {
        return EchoRequest.newBuilder().setMessage("m").build();
    }

    private EchoStatus call(EchoRequest request) {
        try {
            return new EchoStatus(EchoGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS).unary(request).getServer(), null);
        } catch (StatusRuntimeException e) {
            return new EchoStatus(null, e.getStatus());
        }
    }

    private record EchoStatus(String server, Status status) {
    }

    private EndpointStatus endpoint(String name) {
        return channel.endpoints().stream().filter(e -> e.address().equals(servers.address(name))).findFirst().orElseThrow();
    }

    @Test
    void anEndpointWhoseCallsFailIsTakenOutOfRotationByItsBreaker() {
        servers.start("good");
        servers.start("bad").failAll(Status.Code.UNAVAILABLE);
        channel(b -> b.endpointBreaker(CircuitBreakerConfig.builder().consecutiveFailures(3).openFor(Duration.ofMinutes(1)).build()));
        await().atMost(Duration.ofSeconds(5)).until(() -> channel.endpoints().stream().allMatch(e -> e.state().name().equals("READY")));

        int failures = 0;
        for (int i = 0; i < 40; i++) {
            if (call(plain()).status() != null) {
                failures++;
            }
        }
        assertThat(servers.echo("bad").calls()).as("the breaker's threshold, then no more").isEqualTo(3);
        assertThat(failures).isEqualTo(3);
        assertThat(endpoint("bad").breaker().state()).isEqualTo(State.OPEN);
        assertThat(endpoint("good").breaker().state()).isEqualTo(State.CLOSED);
        assertThat(endpoint("bad").failures()).isEqualTo(3);
    }

    @Test
    void answersTheServerGaveAsDesignedNeverOpenAnEndpointsBreaker() {
        servers.start("only");
        channel(b -> b.endpointBreaker(CircuitBreakerConfig.builder().consecutiveFailures(2).build()));
        EchoRequest invalid = EchoRequest.newBuilder().setFailCode(Status.Code.INVALID_ARGUMENT.value()).build();
        EchoRequest missing = EchoRequest.newBuilder().setFailCode(Status.Code.NOT_FOUND.value()).build();
        for (int i = 0; i < 10; i++) {
            assertThat(call(invalid).status().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
            assertThat(call(missing).status().getCode()).isEqualTo(Status.Code.NOT_FOUND);
        }
        assertThat(endpoint("only").breaker().state()).isEqualTo(State.CLOSED);
        assertThat(endpoint("only").failures()).isZero();
    }

    @Test
    void whenEveryEndpointsBreakerIsOpenCallsFailFastNamingWhy() {
        servers.start("one").failAll(Status.Code.UNAVAILABLE);
        channel(b -> b.endpointBreaker(CircuitBreakerConfig.builder().consecutiveFailures(2).openFor(Duration.ofMinutes(1)).build()));
        call(plain());
        call(plain());
        EchoStatus refused = call(plain());
        assertThat(refused.status().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(refused.status().getDescription()).contains("circuit breakers");
        assertThat(servers.echo("one").calls()).isEqualTo(2);
    }

    @Test
    void aMethodsBreakerFailsItsCallsFastAndTakesANewConfigLive() {
        servers.start("s").failAll(Status.Code.INTERNAL);
        PolicyRegistry<CircuitBreaker, CircuitBreakerConfig> breakers = CircuitBreakers.registry(CircuitBreakerConfig.builder()
                .consecutiveFailures(4).openFor(Duration.ofMinutes(1)).classifier(GrpcStatuses.classifier()).build());
        channel(b -> b.noEndpointBreakers().methodBreakers(breakers));
        call(plain());
        call(plain());
        CircuitBreaker unary = breakers.find("grpc:bulwark.test.Echo/Unary").orElseThrow();
        assertThat(unary.state()).isEqualTo(State.CLOSED);
        breakers.apply("grpc:bulwark.test.Echo/Unary", CircuitBreakerConfig.builder().consecutiveFailures(1)
                .openFor(Duration.ofMinutes(1)).classifier(GrpcStatuses.classifier()).build());
        call(plain());
        assertThat(unary.state()).as("the live breaker took the stricter config").isEqualTo(State.OPEN);
        int reached = servers.echo("s").calls();
        EchoStatus refused = call(plain());
        assertThat(refused.status().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(refused.status().getDescription()).contains("grpc:bulwark.test.Echo/Unary");
        assertThat(servers.echo("s").calls()).as("failed fast: the server never saw it").isEqualTo(reached);
    }

    @Test
    void theRateLimiterAndTheBulkheadAnswerResourceExhaustedNamingTheLimit() throws Exception {
        servers.start("s");
        TokenBucket bucket = TokenBucket.builder("grpc-client").permitsPerSecond(1).burst(2).build();
        channel(b -> b.rateLimiter(bucket));
        assertThat(call(plain()).server()).isEqualTo("s");
        assertThat(call(plain()).server()).isEqualTo("s");
        EchoStatus limited = call(plain());
        assertThat(limited.status().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(limited.status().getDescription()).contains("grpc-client");
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);

        Bulkhead bulkhead = Bulkhead.of("grpc-bulkhead", BulkheadConfig.of(1));
        channel(b -> b.bulkhead(bulkhead));
        EchoGrpc.EchoFutureStub async = EchoGrpc.newFutureStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS);
        var slow = async.unary(EchoRequest.newBuilder().setDelayMs(500).build());
        await().atMost(Duration.ofSeconds(5)).until(() -> bulkhead.available() == 0);
        EchoStatus full = call(plain());
        assertThat(full.status().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(full.status().getDescription()).contains("grpc-bulkhead");
        assertThat(slow.get(5, TimeUnit.SECONDS).getServer()).isEqualTo("s");
        await().atMost(Duration.ofSeconds(5)).until(() -> bulkhead.available() == 1);
        assertThat(call(plain()).server()).isEqualTo("s");
    }

    @Test
    void aCallWaitingForReadyGoesOutWhenTheOpenBreakerLetsAProbeThrough() {
        var only = servers.start("only").failAll(Status.Code.UNAVAILABLE);
        channel(b -> b.endpointBreaker(CircuitBreakerConfig.builder().consecutiveFailures(1).openFor(Duration.ofMillis(300)).build()));
        await().atMost(Duration.ofSeconds(5)).until(() -> channel.endpoints().size() == 1);
        call(plain());
        assertThat(endpoint("only").breaker().state()).isEqualTo(State.OPEN);
        only.failAll(null);
        long start = System.nanoTime();
        EchoStatus waited = new EchoStatus(EchoGrpc.newBlockingStub(channel).withWaitForReady().withDeadlineAfter(5, TimeUnit.SECONDS)
                .unary(plain()).getServer(), null);
        assertThat(waited.server()).isEqualTo("only");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("at the probe, not at the deadline").isLessThan(Duration.ofSeconds(2));
    }
}
