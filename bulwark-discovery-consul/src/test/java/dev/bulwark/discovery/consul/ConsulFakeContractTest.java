package dev.bulwark.discovery.consul;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bulwark.discovery.ServiceRegistry;
import dev.bulwark.testing.VirtualScheduler;
import dev.bulwark.testing.discovery.RegistryContract;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;

/**
 * The shared registry contract, run against {@link FakeConsul}, the in-process FAKE of Consul's
 * HTTP API (no real Consul can run on this machine; {@link ConsulRealContractTest} runs the same
 * contract against one when {@code CONSUL_HTTP_ADDR} is set).
 *
 * <p>Time is virtual: the fake's TTL checks and the clients' renewals of TTL-less instances run
 * on one {@link VirtualScheduler}, which {@link #awaitUntil} moves 250 ms per 20 ms poll while
 * the watches' blocking queries answer in real time. The expiry test thus relies on what a real
 * Consul does: the registrant stops heartbeating (it closes), the instance's TTL check turns
 * critical after {@link #shortTtl()}, and from then on the instance is gone from reads and
 * watches.
 */
class ConsulFakeContractTest extends RegistryContract {
    private static final Duration STEP = Duration.ofMillis(250);

    private final VirtualScheduler scheduler = new VirtualScheduler();
    private final FakeConsul fake = FakeConsul.start(scheduler);
    private final List<ConsulRegistry> clients = new CopyOnWriteArrayList<>();

    @Override
    protected ServiceRegistry connect() {
        ConsulRegistry client = ConsulRegistry.connect(Fakes.config(fake).build(), scheduler, Runnable::run);
        clients.add(client);
        return client;
    }

    @Override
    protected Duration shortTtl() {
        return Duration.ofSeconds(2);
    }

    /** Consul expires only what is not heartbeated: closing the registrant stops every renewal it makes. */
    @Override
    protected void stopRenewing(ServiceRegistry registrant) {
        registrant.close();
    }

    @Override
    protected void awaitUntil(Duration atMost, Callable<Boolean> condition) {
        await().atMost(atMost).pollInterval(Duration.ofMillis(20)).until(() -> {
            scheduler.advance(STEP);
            return condition.call();
        });
    }

    @AfterEach
    void closeClientsAndFake() {
        clients.forEach(ConsulRegistry::close);
        fake.close();
        assertThat(scheduler.taskFailures()).isEmpty();
    }
}
