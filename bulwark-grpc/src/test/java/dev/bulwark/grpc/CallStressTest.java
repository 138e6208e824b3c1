package dev.bulwark.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bulwark.breaker.CircuitBreakerConfig;
import dev.bulwark.bulkhead.Bulkhead;
import dev.bulwark.bulkhead.BulkheadConfig;
import dev.bulwark.discovery.InMemoryRegistry;
import dev.bulwark.discovery.ServiceDiscovery;
import dev.bulwark.grpc.client.BulwarkChannel;
import dev.bulwark.grpc.client.EndpointStatus;
import dev.bulwark.grpc.test.EchoGrpc;
import dev.bulwark.grpc.test.EchoReply;
import dev.bulwark.grpc.test.EchoRequest;
import dev.bulwark.grpc.test.EchoServers;
import dev.bulwark.retry.Backoff;
import dev.bulwark.retry.Retry;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Thousands of calls of both reply kinds, racing cancellations, short deadlines, failing servers,
 * retries and half-open probes on real loopback servers. Invariants once the storm is over: every
 * call ended exactly once, no endpoint counts a call in flight, no breaker holds a probe, the
 * bulkhead holds no permit.
 */
class CallStressTest {
    private static final int CALLS = 3000;

    @Test
    void everyCallEndsOnceAndNothingLeaks() throws Exception {
        InMemoryRegistry registry = InMemoryRegistry.create();
        ScheduledExecutorService cancels = Executors.newSingleThreadScheduledExecutor();
        Bulkhead bulkhead = Bulkhead.of("stress", BulkheadConfig.of(64));
        try (EchoServers servers = new EchoServers(registry, "echo");
                ServiceDiscovery discovery = ServiceDiscovery.builder(registry).build()) {
            servers.start("steady");
            servers.start("flaky");
            servers.start("other");
            BulwarkChannel channel = BulwarkChannel.builder("echo", discovery)
                    .retry(Retry.builder("stress").maxAttempts(3).backoff(Backoff.fixed(Duration.ofMillis(1))).build())
                    .bulkhead(bulkhead)
                    .endpointBreaker(CircuitBreakerConfig.builder().consecutiveFailures(3).openFor(Duration.ofMillis(20))
                            .halfOpenProbes(2).build())
                    .build();
            await().atMost(Duration.ofSeconds(5)).until(() -> channel.endpoints().size() == 3);

            ConcurrentHashMap<Integer, AtomicInteger> ends = new ConcurrentHashMap<>();
            AtomicInteger doubleEnds = new AtomicInteger();
            CountDownLatch done = new CountDownLatch(CALLS);
            EchoGrpc.EchoStub stub = EchoGrpc.newStub(channel);
            for (int i = 0; i < CALLS; i++) {
                int id = i;
                ThreadLocalRandom random = ThreadLocalRandom.current();
                EchoRequest.Builder request = EchoRequest.newBuilder().setMessage("m" + i).setDelayMs(random.nextInt(3));
                if (random.nextInt(4) == 0) {
                    request.setFailOn("flaky").setFailCode(Status.Code.UNAVAILABLE.value());
                }
                StreamObserver<EchoReply> observer = new StreamObserver<>() {
                    @Override
                    public void onNext(EchoReply value) {
                    }

                    @Override
                    public void onError(Throwable t) {
                        end();
                    }

                    @Override
                    public void onCompleted() {
                        end();
                    }

                    private void end() {
                        if (ends.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet() > 1) {
                            doubleEnds.incrementAndGet();
                        } else {
                            done.countDown();
                        }
                    }
                };
                Context.CancellableContext context = Context.current().withCancellation();
                int kind = random.nextInt(3);
                context.run(() -> {
                    EchoGrpc.EchoStub s = kind == 0 ? stub.withDeadlineAfter(1 + random.nextInt(4), TimeUnit.MILLISECONDS)
                            : stub.withDeadlineAfter(5, TimeUnit.SECONDS);
                    if (random.nextBoolean()) {
                        s.unary(request.build(), observer);
                    } else {
                        s.serverStream(request.setReplies(1 + random.nextInt(3)).build(), observer);
                    }
                });
                if (kind == 1) {
                    cancels.schedule(() -> context.cancel(null), random.nextInt(3), TimeUnit.MILLISECONDS);
                }
                if (i % 64 == 0) {
                    Thread.onSpinWait();
                }
            }
            assertThat(done.await(60, TimeUnit.SECONDS)).as("every call ended").isTrue();
            assertThat(doubleEnds).as("calls that ended twice").hasValue(0);
            assertThat(ends).hasSize(CALLS);

            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                for (EndpointStatus e : channel.endpoints()) {
                    assertThat(e.inFlight()).as("calls in flight on " + e.address()).isZero();
                    assertThat(e.breaker().metrics().probesInFlight()).as("probes held on " + e.address()).isZero();
                }
                assertThat(bulkhead.available()).isEqualTo(64);
            });
            assertThat(servers.echo("flaky").calls()).isPositive();
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        } finally {
            cancels.shutdownNow();
        }
    }
}
