package dev.bulwark.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bulwark.grpc.server.BulwarkServer;
import dev.bulwark.grpc.server.ServerProtection;
import dev.bulwark.grpc.test.EchoGrpc;
import dev.bulwark.grpc.test.EchoReply;
import dev.bulwark.grpc.test.EchoRequest;
import dev.bulwark.grpc.test.TestEchoService;
import io.grpc.Context;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The server's concurrency permits under abuse: thousands of unary and streaming calls racing
 * client cancellations, deadlines of a few milliseconds, handlers that throw or fail, and an
 * executor too small for the load that rejects work. Invariant once the storm is over: every
 * permit is back, no call is counted in flight, and the counters add up.
 */
class ServerPermitStressTest {
    private static final int CALLS = 2000;
    private static final int CAP = 16;

    @Test
    void noPermitLeaksOnAnyPath() throws Exception {
        ThreadPoolExecutor saturated = new ThreadPoolExecutor(2, 2, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(16),
                new ThreadPoolExecutor.AbortPolicy());
        ServerProtection protection = ServerProtection.builder().maxConcurrentCalls(CAP).build();
        TestEchoService echo = new TestEchoService("stressed");
        BulwarkServer server = BulwarkServer.builder().bind("127.0.0.1", 0).service(echo).executor(saturated)
                .protection(protection).drain(Duration.ZERO, Duration.ofSeconds(1)).build().start();
        ManagedChannel channel = Grpc.newChannelBuilder("127.0.0.1:" + server.port(), InsecureChannelCredentials.create()).build();
        ScheduledExecutorService cancels = Executors.newSingleThreadScheduledExecutor();
        CountDownLatch ended = new CountDownLatch(CALLS);
        AtomicInteger refused = new AtomicInteger();
        try {
            EchoGrpc.EchoStub stub = EchoGrpc.newStub(channel);
            for (int i = 0; i < CALLS; i++) {
                ThreadLocalRandom random = ThreadLocalRandom.current();
                int kind = random.nextInt(6);
                EchoRequest.Builder request = EchoRequest.newBuilder().setMessage(kind == 3 ? "throw" : "m")
                        .setDelayMs(random.nextInt(4));
                if (kind == 4) {
                    request.setFailCode(Status.Code.INTERNAL.value());
                }
                StreamObserver<EchoReply> observer = new StreamObserver<>() {
                    @Override
                    public void onNext(EchoReply value) {
                    }

                    @Override
                    public void onError(Throwable t) {
                        if (Status.fromThrowable(t).getCode() == Status.Code.RESOURCE_EXHAUSTED) {
                            refused.incrementAndGet();
                        }
                        ended.countDown();
                    }

                    @Override
                    public void onCompleted() {
                        ended.countDown();
                    }
                };
                Context.CancellableContext context = Context.current().withCancellation();
                context.run(() -> {
                    EchoGrpc.EchoStub s = kind == 1 ? stub.withDeadlineAfter(1 + random.nextInt(5), TimeUnit.MILLISECONDS)
                            : stub.withDeadlineAfter(300, TimeUnit.MILLISECONDS); // calls whose work the executor dropped end here
                    if (random.nextBoolean() || kind == 3) {
                        s.unary(request.build(), observer);
                    } else {
                        s.serverStream(request.setReplies(1 + random.nextInt(3)).build(), observer);
                    }
                });
                if (kind == 2) {
                    cancels.schedule(() -> context.cancel(null), random.nextInt(4), TimeUnit.MILLISECONDS);
                }
            }
            assertThat(ended.await(60, TimeUnit.SECONDS)).as("every call ended").isTrue();
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                assertThat(protection.concurrency().available()).as("permits back").isEqualTo(CAP);
                assertThat(server.activeCalls()).as("calls counted in flight").isZero();
            });
            assertThat(refused.get()).as("the cap was reached, so the test exercised it").isPositive();
            assertThat(saturated.getCompletedTaskCount()).isPositive();
            assertThat(server.stats().calls()).isGreaterThanOrEqualTo(server.stats().errors());
        } finally {
            cancels.shutdownNow();
            channel.shutdownNow();
            server.close();
            saturated.shutdownNow();
        }
    }
}
