package dev.bulwark.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bulwark.breaker.CircuitBreakerConfig;
import dev.bulwark.call.PoolEndpoint;
import dev.bulwark.discovery.InMemoryRegistry;
import dev.bulwark.discovery.ServiceDiscovery;
import dev.bulwark.http.test.TestHttpServer;
import dev.bulwark.retry.Backoff;
import dev.bulwark.retry.Retry;
import dev.bulwark.testing.discovery.FaultInjectingRegistry;
import dev.bulwark.time.Scheduler;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

/**
 * A client under steady load (four threads of GETs) through an instance dying without
 * deregistering and through a registry outage: no call fails, and the dead instance costs at most
 * its breaker's threshold of attempts after it died, plus those already on their way from the other callers.
 */
class UnderLoadTest {

    /** Four threads calling until stopped, keeping every failure. */
    static final class Load implements AutoCloseable {
        final AtomicBoolean running = new AtomicBoolean(true);
        final LongAdder calls = new LongAdder();
        final ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        final List<Thread> threads;

        Load(ServiceClient client, String service) {
            threads = java.util.stream.IntStream.range(0, 4).mapToObj(i -> new Thread(() -> {
                while (running.get()) {
                    try {
                        client.get(service, "/echo");
                    } catch (RuntimeException e) {
                        failures.add(e);
                    }
                    calls.increment();
                }
            })).toList();
            threads.forEach(Thread::start);
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            for (Thread t : threads) {
                t.join(30_000);
            }
        }
    }

    @Test
    void anInstanceDyingUnderLoadFailsNoCallAndCostsAtMostTheBreakersThreshold() throws Exception {
        InMemoryRegistry registry = InMemoryRegistry.create();
        TestHttpServer a = TestHttpServer.start("a");
        TestHttpServer b = TestHttpServer.start("b");
        TestHttpServer doomed = TestHttpServer.start("doomed");
        for (TestHttpServer s : List.of(a, b, doomed)) {
            s.register(registry, "svc");
        }
        try (ServiceDiscovery discovery = ServiceDiscovery.builder(registry).build();
                ServiceClient client = ServiceClient.builder(discovery)
                        .retry(Retry.builder("http").maxAttempts(3).backoff(Backoff.fixed(Duration.ofMillis(2))).build())
                        .instanceBreaker(CircuitBreakerConfig.builder().consecutiveFailures(3).openFor(Duration.ofSeconds(30)).build())
                        .build()) {
            Load load = new Load(client, "svc");
            await().atMost(Duration.ofSeconds(10)).until(() -> doomed.calls() > 50);
            PoolEndpoint<URI> endpoint = client.endpoints("svc").stream().filter(e -> e.name().equals("doomed")).findFirst().orElseThrow();
            long before = endpoint.stats().successes() + endpoint.stats().failures() + endpoint.stats().inFlight();
            doomed.close();
            long atDeath = load.calls.sum();
            await().atMost(Duration.ofSeconds(10)).until(() -> load.calls.sum() > atDeath + 500);
            load.close();
            long attemptsAfter = endpoint.stats().successes() + endpoint.stats().failures() - before;
            assertThat(load.failures).as("failed calls after an instance died").isEmpty();
            // The breaker opens at its third failure in a row; attempts the other three callers had
            // already sent there before that failure was recorded fail too, so at most 3 + (4 - 1).
            assertThat(attemptsAfter).as("attempts sent to the dead instance after it died").isLessThanOrEqualTo(3 + 3);
        } finally {
            a.close();
            b.close();
        }
    }

    @Test
    void theRegistryGoingDownUnderLoadFailsNoCall() throws Exception {
        InMemoryRegistry registry = InMemoryRegistry.create();
        FaultInjectingRegistry faulty = FaultInjectingRegistry.wrap(registry, Scheduler.system());
        TestHttpServer a = TestHttpServer.start("a");
        TestHttpServer b = TestHttpServer.start("b");
        a.register(registry, "svc");
        b.register(registry, "svc");
        try (ServiceDiscovery discovery = ServiceDiscovery.builder(faulty).resyncEvery(Duration.ofMillis(100)).build();
                ServiceClient client = ServiceClient.builder(discovery).build()) {
            Load load = new Load(client, "svc");
            await().atMost(Duration.ofSeconds(10)).until(() -> load.calls.sum() > 100);
            faulty.unreachable(true);
            long atOutage = load.calls.sum();
            await().atMost(Duration.ofSeconds(10)).until(() -> load.calls.sum() > atOutage + 500 && faulty.injectedFailures() > 5);
            assertThat(client.endpoints("svc")).as("the last good list is kept").hasSize(2);
            faulty.unreachable(false);
            load.close();
            assertThat(load.failures).as("failed calls caused by the registry outage").isEmpty();
        } finally {
            a.close();
            b.close();
        }
    }
}
