package dev.bulwark.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bulwark.breaker.CircuitBreakerConfig;
import dev.bulwark.discovery.InMemoryRegistry;
import dev.bulwark.discovery.ServiceDiscovery;
import dev.bulwark.grpc.client.BulwarkChannel;
import dev.bulwark.grpc.client.EndpointStatus;
import dev.bulwark.grpc.server.DrainReport;
import dev.bulwark.grpc.test.EchoLoad;
import dev.bulwark.grpc.test.EchoRequest;
import dev.bulwark.grpc.test.EchoServers;
import dev.bulwark.retry.Backoff;
import dev.bulwark.retry.Retry;
import dev.bulwark.testing.discovery.FaultInjectingRegistry;
import dev.bulwark.time.Scheduler;
import io.grpc.ConnectivityState;
import io.grpc.ManagedChannel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.stub.StreamObserver;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A client under steady load through a rollout (one of two servers drains), a crash (one of three
 * servers dies without deregistering) and a registry outage: no call fails. Real servers on
 * loopback; the load is four threads of unary calls.
 */
class UnderLoadTest {
    private static final EchoRequest REQUEST = EchoRequest.newBuilder().setMessage("m").setDelayMs(2).build();

    private final InMemoryRegistry registry = InMemoryRegistry.create();
    private final EchoServers servers = new EchoServers(registry, "echo");
    private ServiceDiscovery discovery;
    private BulwarkChannel channel;

    @AfterEach
    void stop() throws InterruptedException {
        if (channel != null) {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        if (discovery != null) {
            discovery.close();
        }
        servers.close();
    }

    private void awaitReady(int endpoints) {
        await().atMost(Duration.ofSeconds(5)).until(() -> channel.endpoints().size() == endpoints
                && channel.endpoints().stream().allMatch(e -> e.state() == ConnectivityState.READY));
    }

    @Test
    void aServerDrainingUnderLoadFailsNoCall() throws Exception {
        servers.start("leaving", b -> b.drain(Duration.ofMillis(300), Duration.ofSeconds(5)));
        servers.start("staying");
        discovery = ServiceDiscovery.builder(registry).build();
        channel = BulwarkChannel.builder("echo", discovery).build(); // no retry: the drain's order alone keeps calls whole
        awaitReady(2);

        ManagedChannel direct = Grpc.newChannelBuilder(servers.address("leaving"), InsecureChannelCredentials.create()).build();
        List<HealthCheckResponse.ServingStatus> watched = new CopyOnWriteArrayList<>();
        HealthGrpc.newStub(direct).watch(HealthCheckRequest.newBuilder().setService("").build(), new StreamObserver<>() {
            @Override
            public void onNext(HealthCheckResponse value) {
                watched.add(value.getStatus());
            }

            @Override
            public void onError(Throwable t) {
            }

            @Override
            public void onCompleted() {
            }
        });
        await().atMost(Duration.ofSeconds(5)).until(() -> watched.contains(HealthCheckResponse.ServingStatus.SERVING));

        EchoLoad load = EchoLoad.start(channel, 4, REQUEST, 2000);
        await().atMost(Duration.ofSeconds(5)).until(() -> load.answeredBy("leaving") > 50);
        DrainReport report = servers.server("leaving").drain();
        long leavingAfterDrain = load.answeredBy("leaving");
        long stayingAtDrain = load.answeredBy("staying");
        await().atMost(Duration.ofSeconds(5)).until(() -> load.answeredBy("staying") > stayingAtDrain + 100);
        load.close();
        direct.shutdownNow();

        assertThat(load.failures()).as("failed calls while a server drained").isEmpty();
        assertThat(load.answeredBy("leaving")).as("nothing answered by the drained server after its drain").isEqualTo(leavingAfterDrain);
        assertThat(report.deregistered()).isEqualTo(1);
        assertThat(report.cancelled()).isZero();
        assertThat(registry.list("echo")).hasSize(1);
        assertThat(watched).as("health watchers were told first").contains(HealthCheckResponse.ServingStatus.NOT_SERVING);
        await().atMost(Duration.ofSeconds(5)).until(() -> channel.endpoints().size() == 1);
    }

    @Test
    void aServerDyingUnderLoadFailsNoIdempotentCallAndCostsAtMostTheBreakersThreshold() throws Exception {
        servers.startKillable("a");
        servers.startKillable("b");
        servers.startKillable("doomed");
        discovery = ServiceDiscovery.builder(registry).build();
        channel = BulwarkChannel.builder("echo", discovery)
                .retry(Retry.builder("grpc:echo").maxAttempts(3).backoff(Backoff.fixed(Duration.ofMillis(5))).build())
                .endpointBreaker(CircuitBreakerConfig.builder().consecutiveFailures(3).openFor(Duration.ofSeconds(30)).build())
                .build();
        awaitReady(3);

        EchoLoad load = EchoLoad.start(channel, 4, REQUEST, 2000);
        await().atMost(Duration.ofSeconds(5)).until(() -> load.answeredBy("doomed") > 50);
        EndpointStatus before = doomed();
        servers.kill("doomed");
        long callsAtDeath = load.calls();
        await().atMost(Duration.ofSeconds(10)).until(() -> load.calls() > callsAtDeath + 500);
        load.close();

        EndpointStatus after = doomed();
        long attemptsAfterDeath = after.successes() + after.failures() - before.successes() - before.failures() - before.inFlight();
        assertThat(load.failures()).as("failed calls after an instance died").isEmpty();
        assertThat(attemptsAfterDeath).as("attempts sent to the dead instance after it died").isLessThanOrEqualTo(3);
        assertThat(registry.list("echo")).as("it died without deregistering").hasSize(3);
    }

    private EndpointStatus doomed() {
        return channel.endpoints().stream().filter(e -> e.address().equals(servers.address("doomed"))).findFirst().orElseThrow();
    }

    @Test
    void theRegistryGoingDownUnderLoadFailsNoCall() throws Exception {
        FaultInjectingRegistry faulty = FaultInjectingRegistry.wrap(registry, Scheduler.system());
        servers.start("a");
        servers.start("b");
        discovery = ServiceDiscovery.builder(faulty).resyncEvery(Duration.ofMillis(100)).build();
        channel = BulwarkChannel.builder("echo", discovery).build();
        awaitReady(2);

        EchoLoad load = EchoLoad.start(channel, 4, REQUEST, 2000);
        await().atMost(Duration.ofSeconds(5)).until(() -> load.calls() > 100);
        faulty.unreachable(true);
        long callsAtOutage = load.calls();
        await().atMost(Duration.ofSeconds(10)).until(() -> load.calls() > callsAtOutage + 500 && faulty.injectedFailures() > 5);
        assertThat(channel.endpoints()).as("the last good list is kept through the outage").hasSize(2);
        faulty.unreachable(false);
        servers.start("c");
        await().atMost(Duration.ofSeconds(10)).until(() -> load.answeredBy("c") > 10);
        load.close();

        assertThat(load.failures()).as("failed calls caused by the registry outage").isEmpty();
        assertThat(faulty.injectedFailures()).as("discovery really met the outage").isGreaterThan(5);
    }
}
