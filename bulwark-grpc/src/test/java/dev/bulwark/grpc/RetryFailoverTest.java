package dev.bulwark.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.bulwark.discovery.InMemoryRegistry;
import dev.bulwark.discovery.ServiceDiscovery;
import dev.bulwark.grpc.client.BulwarkChannel;
import dev.bulwark.grpc.test.EchoGrpc;
import dev.bulwark.grpc.test.EchoReply;
import dev.bulwark.grpc.test.EchoRequest;
import dev.bulwark.grpc.test.EchoServers;
import dev.bulwark.retry.Backoff;
import dev.bulwark.retry.Retry;
import dev.bulwark.retry.RetryListener;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Retry on a Bulwark channel: a failed attempt is tried again on an endpoint the call has not
 * tried (grpc-java's own retry cannot avoid the failed backend), within the call's deadline,
 * honouring the server's pushback; streaming calls are retried until their first reply reaches the
 * caller and never after. Three real servers on loopback, discovered through the in-memory registry.
 */
class RetryFailoverTest {
    private final InMemoryRegistry registry = InMemoryRegistry.create();
    private final EchoServers servers = new EchoServers(registry, "echo");
    private ServiceDiscovery discovery;
    private BulwarkChannel channel;
    private final AtomicInteger retries = new AtomicInteger();

    @BeforeEach
    void start() {
        servers.start("a");
        servers.start("b");
        servers.start("c");
        discovery = ServiceDiscovery.builder(registry).build();
        channel = BulwarkChannel.builder("echo", discovery)
                .retry(Retry.builder("grpc:echo").maxAttempts(3).backoff(Backoff.fixed(Duration.ofMillis(1)))
                        .listener(new RetryListener() {
                            @Override
                            public void onRetry(Retry retry, int attempt, Throwable error, long delayNanos) {
                                retries.incrementAndGet();
                            }
                        }).build())
                .noEndpointBreakers()
                .build();
        await().atMost(Duration.ofSeconds(5)).until(() -> channel.endpoints().size() == 3);
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

    private static EchoRequest failingOn(String server, Status.Code code) {
        return EchoRequest.newBuilder().setMessage("m").setFailOn(server).setFailCode(code.value()).build();
    }

    @Test
    void aFailedAttemptIsRetriedOnAnotherEndpointEveryTime() {
        for (int i = 0; i < 30; i++) {
            EchoReply reply = stub().unary(failingOn("a", Status.Code.UNAVAILABLE));
            assertThat(reply.getServer()).isIn("b", "c");
        }
        int toA = servers.echo("a").calls();
        assertThat(toA).as("round robin sent some first attempts to a").isGreaterThan(0);
        assertThat(retries).as("each call that met a needed exactly one retry: never a second try on a").hasValue(toA);
    }

    @Test
    void whenEveryEndpointFailsEachAttemptGoesToADifferentOneAndTheLastStatusIsReported() {
        for (String name : servers.names()) {
            servers.echo(name).failAll(Status.Code.UNAVAILABLE);
        }
        assertThatThrownBy(() -> stub().unary(EchoRequest.newBuilder().setMessage("m").build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                    assertThat(e.getStatus().getDescription()).endsWith("fails every call");
                    assertThat(e.getStatus().getCause()).as("the retry's account").hasMessageContaining("3 attempts");
                });
        assertThat(servers.calls().values()).as("three attempts, three endpoints").containsExactly(1, 1, 1);
    }

    @Test
    void statusesTheServerAnsweredAsDesignedAreNotRetried() {
        assertThatThrownBy(() -> stub().unary(failingOn("", Status.Code.INVALID_ARGUMENT)))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT));
        assertThat(retries).hasValue(0);
        assertThat(servers.calls().values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(1);
    }

    @Test
    void aPushbackDelaysTheRetryAndANegativeOneStopsIt() {
        EchoRequest pushedBack = failingOn("", Status.Code.RESOURCE_EXHAUSTED).toBuilder().setPushbackMs(300).build();
        long start = System.nanoTime();
        assertThatThrownBy(() -> stub().unary(pushedBack)).isInstanceOf(StatusRuntimeException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("two retries, each after the 300 ms asked for")
                .isGreaterThanOrEqualTo(Duration.ofMillis(600));
        assertThat(retries).hasValue(2);

        retries.set(0);
        EchoRequest refused = failingOn("", Status.Code.RESOURCE_EXHAUSTED).toBuilder().setPushbackMs(-1).build();
        assertThatThrownBy(() -> stub().unary(refused)).isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED));
        assertThat(retries).as("a negative pushback means: do not retry").hasValue(0);
    }

    @Test
    void theCallsDeadlineBoundsItsRetries() {
        for (String name : servers.names()) {
            servers.echo(name).slow(Duration.ofMillis(400)).failAll(Status.Code.UNAVAILABLE);
        }
        long start = System.nanoTime();
        assertThatThrownBy(() -> EchoGrpc.newBlockingStub(channel).withDeadlineAfter(600, TimeUnit.MILLISECONDS)
                .unary(EchoRequest.newBuilder().setMessage("m").build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isIn(Status.Code.DEADLINE_EXCEEDED, Status.Code.UNAVAILABLE));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("not three full attempts of 400 ms")
                .isLessThan(Duration.ofMillis(1100));
    }

    @Test
    void aServerStreamIsRetriedUntilItsFirstReplyAndNeverAfter() {
        EchoRequest failsFirst = EchoRequest.newBuilder().setMessage("s").setReplies(0)
                .setFailOn("a").setFailCode(Status.Code.UNAVAILABLE.value()).build();
        // A stream that fails before any reply is retried elsewhere: the caller sees a clean end.
        for (int i = 0; i < 6; i++) {
            Iterator<EchoReply> it = stub().serverStream(failsFirst);
            assertThat(it.hasNext()).isFalse();
        }
        assertThat(retries.get()).isPositive();

        retries.set(0);
        for (String name : servers.names()) {
            servers.echo(name).failAll(null);
        }
        EchoRequest failsLate = EchoRequest.newBuilder().setMessage("s").setReplies(2)
                .setFailCode(Status.Code.UNAVAILABLE.value()).build();
        List<String> seen = new ArrayList<>();
        Iterator<EchoReply> it = stub().serverStream(failsLate);
        assertThatThrownBy(() -> it.forEachRemaining(r -> seen.add(r.getMessage())))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
        assertThat(seen).as("replies seen are never repeated by a retry").containsExactly("s 0", "s 1");
        assertThat(retries).hasValue(0);
    }

    @Test
    void aBidiStreamReplaysWhatItSentToTheNextEndpoint() throws Exception {
        CallKinds.Collector replies = new CallKinds.Collector();
        StreamObserver<EchoRequest> requests = EchoGrpc.newStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS).bidi(replies);
        requests.onNext(EchoRequest.newBuilder().setMessage("first").setFailOn("a").setFailCode(Status.Code.UNAVAILABLE.value())
                .build());
        requests.onNext(EchoRequest.newBuilder().setMessage("second").build());
        requests.onCompleted();
        List<EchoReply> got = replies.done.get(5, TimeUnit.SECONDS);
        assertThat(got).extracting(EchoReply::getMessage).containsExactly("first", "second");
        assertThat(got).extracting(EchoReply::getServer).doesNotContain("a").containsOnly(got.get(0).getServer());
    }

    @Test
    void aStageThatGivesUpOnAnAttemptEndsItOnTheWire() {
        BulwarkChannel timed = BulwarkChannel.builder("echo", discovery).noEndpointBreakers()
                .stage(dev.bulwark.call.Stages.timeout(dev.bulwark.timeout.Timeout.of("attempt", Duration.ofMillis(200))))
                .build();
        try {
            int cancelledBefore = servers.names().stream().mapToInt(n -> servers.echo(n).cancelled()).sum();
            long start = System.nanoTime();
            assertThatThrownBy(() -> EchoGrpc.newBlockingStub(timed).withDeadlineAfter(5, TimeUnit.SECONDS)
                    .unary(EchoRequest.newBuilder().setMessage("m").setDelayMs(3000).build()))
                    .isInstanceOfSatisfying(StatusRuntimeException.class,
                            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
            await("the server saw its call cancelled").atMost(Duration.ofSeconds(5))
                    .until(() -> servers.names().stream().mapToInt(n -> servers.echo(n).cancelled()).sum() > cancelledBefore);
        } finally {
            timed.shutdownNow();
        }
    }

    @Test
    void aCallerGivingUpDuringABackoffIsHeardAtOnce() throws Exception {
        BulwarkChannel slowRetry = BulwarkChannel.builder("echo", discovery).noEndpointBreakers()
                .retry(Retry.builder("grpc:echo").maxAttempts(3).backoff(Backoff.fixed(Duration.ofSeconds(3))).build())
                .build();
        try {
            for (String name : servers.names()) {
                servers.echo(name).failAll(Status.Code.UNAVAILABLE);
            }
            io.grpc.Context.CancellableContext context = io.grpc.Context.current().withCancellation();
            CallKinds.Collector replies = new CallKinds.Collector();
            context.run(() -> EchoGrpc.newStub(slowRetry).unary(EchoRequest.newBuilder().setMessage("m").build(), replies));
            await().atMost(Duration.ofSeconds(5)).until(() -> servers.calls().values().stream().mapToInt(Integer::intValue).sum() == 1);
            long start = System.nanoTime();
            context.cancel(null);
            assertThatThrownBy(() -> replies.done.get(2, TimeUnit.SECONDS)).hasCauseInstanceOf(StatusRuntimeException.class)
                    .cause().satisfies(e -> assertThat(Status.fromThrowable(e).getCode()).isEqualTo(Status.Code.CANCELLED));
            assertThat(Duration.ofNanos(System.nanoTime() - start)).as("not at the end of the 3 s backoff").isLessThan(Duration.ofSeconds(1));
            assertThat(servers.calls().values().stream().mapToInt(Integer::intValue).sum()).as("no attempt after the cancel").isEqualTo(1);
        } finally {
            slowRetry.shutdownNow();
        }
    }
}
