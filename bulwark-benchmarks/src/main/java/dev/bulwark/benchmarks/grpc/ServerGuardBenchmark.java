package dev.bulwark.benchmarks.grpc;

import dev.bulwark.grpc.internal.CallGuard;
import dev.bulwark.grpc.internal.ServerMetrics;
import dev.bulwark.grpc.server.ServerProtection;
import dev.bulwark.grpc.test.EchoGrpc;
import dev.bulwark.grpc.test.EchoReply;
import dev.bulwark.grpc.test.EchoRequest;
import dev.bulwark.ratelimit.KeyedRateLimiter;
import dev.bulwark.ratelimit.TokenBucket;
import io.grpc.Attributes;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.Status;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * What a Bulwark server's protection costs a call, without the network: one call through the
 * server interceptor (rate limits overall, per method and per key, concurrency caps server-wide and
 * per method, counters; and, in {@code guarded+deadline}, the deadline cap) and its completion,
 * beside the same handler called bare. Run by {@code scripts/bench guard} with {@code -prof gc}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class ServerGuardBenchmark {
    @Param({"bare", "guarded", "guarded+deadline"})
    public String stack;

    private static final MethodDescriptor<EchoRequest, EchoReply> METHOD = EchoGrpc.getUnaryMethod();
    private static final ServerCallHandler<EchoRequest, EchoReply> HANDLER = (call, headers) -> {
        call.close(Status.OK, new Metadata());
        return new ServerCall.Listener<>() { };
    };

    private ScheduledExecutorService timer;
    private CallGuard guard;
    private final Metadata headers = new Metadata();
    private final FakeCall call = new FakeCall();

    @Setup(Level.Trial)
    public void setUp() {
        timer = Executors.newSingleThreadScheduledExecutor();
        headers.put(Metadata.Key.of("x-user-id", Metadata.ASCII_STRING_MARSHALLER), "user-7");
        ServerProtection.Builder limits = ServerProtection.builder()
                .rateLimit(TokenBucket.builder("server").permitsPerSecond(1e9).burst(1_000_000).build())
                .rateLimit(METHOD.getFullMethodName(), TokenBucket.builder("unary").permitsPerSecond(1e9).burst(1_000_000).build())
                .rateLimitPerKey("x-user-id", KeyedRateLimiter.<String>builder("per-user")
                        .limiter(k -> TokenBucket.builder("user").permitsPerSecond(1e9).burst(1_000_000).build()).build())
                .maxConcurrentCalls(1000)
                .maxConcurrentCalls(METHOD.getFullMethodName(), 1000);
        if (stack.equals("guarded+deadline")) {
            limits.maxDeadline(Duration.ofSeconds(30));
        }
        guard = new CallGuard(limits.build(), new ServerMetrics(), timer);
    }

    @Benchmark
    public Object call() {
        if (stack.equals("bare")) {
            return HANDLER.startCall(call, headers);
        }
        ServerCall.Listener<EchoRequest> listener = guard.interceptCall(call, headers, HANDLER);
        listener.onComplete();
        return listener;
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        timer.shutdownNow();
    }

    /** A server call that goes nowhere: what the interceptor needs of one. */
    static final class FakeCall extends ServerCall<EchoRequest, EchoReply> {
        @Override
        public void request(int numMessages) {
        }

        @Override
        public void sendHeaders(Metadata headers) {
        }

        @Override
        public void sendMessage(EchoReply message) {
        }

        @Override
        public void close(Status status, Metadata trailers) {
        }

        @Override
        public boolean isCancelled() {
            return false;
        }

        @Override
        public Attributes getAttributes() {
            return Attributes.EMPTY;
        }

        @Override
        public MethodDescriptor<EchoRequest, EchoReply> getMethodDescriptor() {
            return METHOD;
        }
    }
}
