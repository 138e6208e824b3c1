package dev.bulwark.demo;

import dev.bulwark.balance.Strategy;
import dev.bulwark.breaker.CircuitBreaker;
import dev.bulwark.breaker.CircuitBreakerConfig;
import dev.bulwark.breaker.CircuitBreakerListener;
import dev.bulwark.breaker.State;
import dev.bulwark.discovery.InMemoryRegistry;
import dev.bulwark.discovery.ServiceDiscovery;
import dev.bulwark.discovery.ServiceInstance;
import dev.bulwark.grpc.client.BulwarkChannel;
import dev.bulwark.grpc.client.EndpointStatus;
import dev.bulwark.grpc.test.EchoGrpc;
import dev.bulwark.grpc.test.EchoRequest;
import dev.bulwark.grpc.test.StaticAddresses;
import dev.bulwark.grpc.test.TestEchoService;
import dev.bulwark.micrometer.GrpcMeters;
import dev.bulwark.retry.Backoff;
import dev.bulwark.retry.Retry;
import dev.bulwark.retry.RetryBudget;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.InsecureServerCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Three real gRPC servers on loopback, registered in the in-memory registry; one turns slow a
 * third of the way in, another is killed (no deregistration, as a crash) two thirds in. A bare
 * grpc-java client (round robin over the three addresses) and a Bulwark channel (discovery, peak
 * EWMA, a breaker per endpoint, retry with a budget) call them at the same rate, side by side.
 */
final class GrpcDrill {
    private static final Metadata.Key<String> CLIENT = Metadata.Key.of("x-client", Metadata.ASCII_STRING_MARSHALLER);
    private static final Duration SLOWDOWN = Duration.ofMillis(300);
    private static final long DEADLINE_MS = 1000;

    /** One client's run. */
    record Run(String label, RunStats stats, LongAdder failedAfterDeath, List<String> transitions) {
    }

    private final Duration duration;
    private final int rate;
    private final GrpcMeters meters;
    private final PrintStream out;
    /** Calls each server received, by client. */
    private final Map<String, LongAdder> received = new ConcurrentHashMap<>();
    private volatile boolean slow;

    GrpcDrill(Duration duration, int rate, MeterRegistry registry, PrintStream out) {
        this.duration = duration;
        this.rate = rate;
        this.meters = GrpcMeters.create(registry);
        this.out = out;
    }

    /** Runs the drill and prints its table. */
    void run() throws Exception {
        out.println();
        out.println("gRPC drill: 3 servers on loopback (s2 turns " + SLOWDOWN.toMillis() + " ms slower at "
                + Report.seconds(duration.dividedBy(3)) + ", s3 is killed at " + Report.seconds(duration.multipliedBy(2).dividedBy(3))
                + "), " + rate + " calls/s for " + Report.seconds(duration) + ", deadline " + DEADLINE_MS + " ms,");
        out.println("a bare grpc-java round-robin client and a Bulwark channel side by side.");
        List<TestEchoService> echoes = new ArrayList<>();
        List<Server> servers = new ArrayList<>();
        List<InetSocketAddress> addresses = new ArrayList<>();
        InMemoryRegistry registry = InMemoryRegistry.create();
        for (int i = 1; i <= 3; i++) {
            String name = "s" + i;
            TestEchoService echo = new TestEchoService(name);
            Server server = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create())
                    .addService(ServerInterceptors.intercept(echo, counting(name), meters.serverInterceptor())).build().start();
            echoes.add(echo);
            servers.add(server);
            addresses.add(new InetSocketAddress("127.0.0.1", server.getPort()));
            registry.register(ServiceInstance.builder("echo", "127.0.0.1", server.getPort()).id(name).protocol("grpc").build());
        }
        StaticAddresses.register();
        ManagedChannel bare = Grpc.newChannelBuilder(StaticAddresses.target(addresses), InsecureChannelCredentials.create())
                .defaultLoadBalancingPolicy("round_robin").build();
        Run bareRun = new Run("bare grpc-java", new RunStats(), new LongAdder(), List.of());
        Run bulwarkRun = new Run("Bulwark", new RunStats(), new LongAdder(), new CopyOnWriteArrayList<>());
        long start = System.nanoTime();
        ExecutorService drivers = Executors.newFixedThreadPool(3);
        try (ServiceDiscovery discovery = ServiceDiscovery.builder(registry).build()) {
            BulwarkChannel bulwark = BulwarkChannel.builder("echo", discovery)
                    .balancer(Strategy.PEAK_EWMA)
                    .endpointBreaker(CircuitBreakerConfig.builder().consecutiveFailures(3).openFor(Duration.ofSeconds(2)).build())
                    .retry(Retry.builder("grpc:echo").maxAttempts(3).backoff(Backoff.fixed(Duration.ofMillis(5)))
                            .budget(RetryBudget.builder().ratio(0.2).minRetriesPerSecond(10).build()).build())
                    .build();
            awaitEndpoints(bulwark);
            for (EndpointStatus e : bulwark.endpoints()) {
                String name = "s" + (addresses.indexOf(new InetSocketAddress("127.0.0.1", e.instance().port())) + 1);
                e.breaker().addListener(new CircuitBreakerListener() {
                    @Override
                    public void onStateTransition(CircuitBreaker breaker, State from, State to, String reason) {
                        bulwarkRun.transitions().add(String.format(Locale.ROOT, "%7s  %s %s -> %s (%s)",
                                Report.seconds(Duration.ofNanos(System.nanoTime() - start)), name, from, to, reason));
                    }
                });
            }
            long killAt = start + duration.multipliedBy(2).dividedBy(3).toNanos();
            List<Future<?>> done = new ArrayList<>();
            done.add(drivers.submit(() -> drive(bare, bareRun, killAt)));
            done.add(drivers.submit(() -> drive(ClientInterceptors.intercept(bulwark, meters.clientInterceptor()), bulwarkRun, killAt)));
            done.add(drivers.submit(() -> {
                sleepUntil(start + duration.dividedBy(3).toNanos());
                echoes.get(1).slow(SLOWDOWN);
                slow = true;
                sleepUntil(killAt);
                servers.get(2).shutdownNow();
                return null;
            }));
            for (Future<?> f : done) {
                f.get();
            }
            print(List.of(bareRun, bulwarkRun));
            bulwark.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        } finally {
            drivers.shutdownNow();
            bare.shutdownNow();
            servers.forEach(Server::shutdownNow);
        }
    }

    private Void drive(Channel channel, Run run, long killAt) throws InterruptedException {
        Metadata headers = new Metadata();
        headers.put(CLIENT, run.label());
        EchoGrpc.EchoBlockingStub stub = EchoGrpc.newBlockingStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
        EchoRequest request = EchoRequest.newBuilder().setMessage("drill").setDelayMs(5).build();
        new LoadGenerator(run.label(), rate, duration).run(seq -> {
            try {
                stub.withDeadlineAfter(DEADLINE_MS, TimeUnit.MILLISECONDS).unary(request);
            } catch (StatusRuntimeException e) {
                if (System.nanoTime() - killAt >= 0 && e.getStatus().getCode() == Status.Code.UNAVAILABLE) {
                    run.failedAfterDeath().increment();
                }
                throw e;
            }
        }, run.stats());
        return null;
    }

    private ServerInterceptor counting(String server) {
        return new ServerInterceptor() {
            @Override
            public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(ServerCall<ReqT, RespT> call, Metadata headers,
                    ServerCallHandler<ReqT, RespT> next) {
                String client = headers.get(CLIENT);
                received.computeIfAbsent(server + "/" + client, k -> new LongAdder()).increment();
                if (server.equals("s2") && slow) {
                    received.computeIfAbsent("s2-slow/" + client, k -> new LongAdder()).increment();
                }
                return next.startCall(call, headers);
            }
        };
    }

    private void print(List<Run> runs) {
        SideBySide<Run> table = new SideBySide<>(out, runs, Run::label).outcomes(Run::stats);
        for (int i = 1; i <= 3; i++) {
            String name = "s" + i;
            table.row("calls reaching " + name + (i == 3 ? " (killed)" : ""), r -> count(name + "/" + r.label()));
        }
        table.row("calls reaching s2 while it was slow", r -> count("s2-slow/" + r.label()))
                .row("failed UNAVAILABLE after s3 died", r -> String.valueOf(r.failedAfterDeath().sum()));
        out.println();
        out.println("Breaker transitions (Bulwark, one breaker per endpoint):");
        List<String> transitions = runs.get(1).transitions();
        if (transitions.isEmpty()) {
            out.println("  none");
        }
        transitions.forEach(t -> out.println("  " + t));
    }

    private String count(String key) {
        LongAdder n = received.get(key);
        return n == null ? "0" : String.valueOf(n.sum());
    }

    private static void awaitEndpoints(BulwarkChannel channel) throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (channel.endpoints().size() < 3 || channel.endpoints().stream().anyMatch(e -> e.breaker() == null)) {
            if (System.nanoTime() - until > 0) {
                throw new IllegalStateException("the Bulwark channel found " + channel.endpoints().size() + " of 3 servers");
            }
            Thread.sleep(10);
        }
    }

    private static void sleepUntil(long nanoTime) throws InterruptedException {
        long wait = nanoTime - System.nanoTime();
        if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
        }
    }
}
