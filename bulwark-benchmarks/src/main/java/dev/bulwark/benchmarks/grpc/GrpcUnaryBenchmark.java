package dev.bulwark.benchmarks.grpc;

import dev.bulwark.balance.Strategy;
import dev.bulwark.discovery.InMemoryRegistry;
import dev.bulwark.discovery.ServiceDiscovery;
import dev.bulwark.discovery.ServiceInstance;
import dev.bulwark.grpc.client.BulwarkChannel;
import dev.bulwark.grpc.test.EchoGrpc;
import dev.bulwark.grpc.test.EchoReply;
import dev.bulwark.grpc.test.EchoRequest;
import dev.bulwark.grpc.test.StaticAddresses;
import dev.bulwark.grpc.test.TestEchoService;
import dev.bulwark.ratelimit.TokenBucket;
import dev.bulwark.retry.Retry;
import dev.bulwark.retry.RetryBudget;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One unary call over loopback Netty to one of three echo servers (in this JVM), through three
 * client stacks side by side:
 * <ul>
 * <li>{@code grpc-java}: a plain channel, round robin, no protection;
 * <li>{@code grpc-java+retry+r4j}: what a user builds instead: grpc-java's retry service config
 *     (3 attempts on UNAVAILABLE, retry throttling) and a Resilience4j breaker interceptor;
 * <li>{@code bulwark}: a Bulwark channel: discovery (in-memory registry), peak EWMA, a breaker per
 *     endpoint, retry with a budget, a token-bucket limiter set high enough never to refuse.
 * </ul>
 * Run by {@code scripts/bench grpc} in throughput and sample-time modes at 1 and 16 threads (each
 * thread one blocking call at a time: that many calls in flight), with {@code -prof gc}. The
 * allocation figure counts both ends, since the servers run in the same JVM: compare the stacks'
 * differences, not the absolute.
 */
@State(Scope.Benchmark)
public class GrpcUnaryBenchmark {
    @Param({"grpc-java", "grpc-java+retry+r4j", "bulwark"})
    public String stack;

    private final List<Server> servers = new ArrayList<>();
    private ManagedChannel channel;
    private ServiceDiscovery discovery;
    private EchoGrpc.EchoBlockingStub stub;
    private final EchoRequest request = EchoRequest.newBuilder().setMessage("benchmark").build();

    @Setup
    public void start() throws IOException {
        List<InetSocketAddress> addresses = new ArrayList<>();
        InMemoryRegistry registry = InMemoryRegistry.create();
        for (int i = 0; i < 3; i++) {
            Server server = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
                    .addService(new TestEchoService("s" + i)).build().start();
            servers.add(server);
            addresses.add(new InetSocketAddress("127.0.0.1", server.getPort()));
            registry.register(ServiceInstance.builder("echo", "127.0.0.1", server.getPort()).protocol("grpc").build());
        }
        channel = switch (stack) {
            case "grpc-java" -> plain(addresses);
            case "grpc-java+retry+r4j" -> retryAndResilience4j(addresses);
            case "bulwark" -> bulwark(registry);
            default -> throw new IllegalArgumentException("stack = " + stack);
        };
        stub = EchoGrpc.newBlockingStub(channel);
        for (int i = 0; i < 2000; i++) {
            stub.unary(request); // connected and warm before JMH's own warm-up
        }
    }

    private static ManagedChannel plain(List<InetSocketAddress> addresses) {
        StaticAddresses.register();
        return Grpc.newChannelBuilder(StaticAddresses.target(addresses), InsecureChannelCredentials.create())
                .defaultLoadBalancingPolicy("round_robin").build();
    }

    private static ManagedChannel retryAndResilience4j(List<InetSocketAddress> addresses) {
        StaticAddresses.register();
        Map<String, Object> retryPolicy = Map.of("maxAttempts", 3.0, "initialBackoff", "0.01s", "maxBackoff", "0.1s",
                "backoffMultiplier", 2.0, "retryableStatusCodes", List.of("UNAVAILABLE"));
        Map<String, Object> serviceConfig = Map.of(
                "loadBalancingConfig", List.of(Map.of("round_robin", Map.of())),
                "methodConfig", List.of(Map.of("name", List.of(Map.of("service", "bulwark.test.Echo")), "retryPolicy", retryPolicy)),
                "retryThrottling", Map.of("maxTokens", 100.0, "tokenRatio", 0.1));
        CircuitBreaker breaker = CircuitBreaker.of("echo", CircuitBreakerConfig.custom().failureRateThreshold(50).build());
        return Grpc.newChannelBuilder(StaticAddresses.target(addresses), InsecureChannelCredentials.create())
                .defaultServiceConfig(serviceConfig).enableRetry()
                .intercept(new Resilience4jBreakerInterceptor(breaker)).build();
    }

    private ManagedChannel bulwark(InMemoryRegistry registry) {
        discovery = ServiceDiscovery.builder(registry).build();
        return BulwarkChannel.builder("echo", discovery)
                .balancer(Strategy.PEAK_EWMA)
                .retry(Retry.builder("grpc:echo").maxAttempts(3)
                        .budget(RetryBudget.builder().ratio(0.1).minRetriesPerSecond(10).build()).build())
                .rateLimiter(TokenBucket.builder("grpc:echo").permitsPerSecond(10_000_000).burst(100_000).build())
                .build();
    }

    @Benchmark
    public EchoReply unary() {
        return stub.unary(request);
    }

    @TearDown
    public void stop() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        if (discovery != null) {
            discovery.close();
        }
        for (Server s : servers) {
            s.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
