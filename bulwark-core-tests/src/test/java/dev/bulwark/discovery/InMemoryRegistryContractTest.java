package dev.bulwark.discovery;

import dev.bulwark.testing.VirtualScheduler;
import dev.bulwark.testing.discovery.RegistryContract;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The in-memory registry passes the shared contract, in virtual time. */
class InMemoryRegistryContractTest extends RegistryContract {
    private final VirtualScheduler scheduler = new VirtualScheduler();
    private final InMemoryRegistry shared = InMemoryRegistry.create(scheduler, Duration.ofMillis(100));

    /** Every client is a view of the one in-memory registry; closing a view leaves it open. */
    @Override
    protected ServiceRegistry connect() {
        return new ForwardingRegistry(shared) {
            @Override
            public void close() {
            }
        };
    }

    /** In memory nobody renews but the registrant's own heartbeats: there is nothing to stop. */
    @Override
    protected void stopRenewing(ServiceRegistry registrant) {
    }

    @Override
    protected void awaitUntil(Duration atMost, Callable<Boolean> condition) {
        long step = Duration.ofMillis(100).toNanos();
        for (long waited = 0; waited <= atMost.toNanos(); waited += step) {
            try {
                if (condition.call()) {
                    return;
                }
            } catch (Exception e) {
                throw new AssertionError(e);
            }
            scheduler.advance(step);
        }
        throw new AssertionError("condition not met within " + atMost + " of virtual time");
    }

    @AfterEach
    void closeShared() {
        shared.close();
    }

    @Test
    void heartbeatsKeepAnInstanceAliveAndTheSweepRemovesItOnceTheyStop() {
        String service = uniqueService();
        ServiceInstance mortal = instance(service, 9100).toBuilder().ttl(Duration.ofSeconds(1)).build();
        registry.register(mortal);
        for (int i = 0; i < 10; i++) {
            scheduler.advance(Duration.ofMillis(900));
            registry.heartbeat(service, mortal.id());
        }
        assertThat(registry.list(service)).containsExactly(mortal);
        scheduler.advance(Duration.ofMillis(1100));
        assertThat(registry.list(service)).isEmpty();
        assertThat(shared.expireNow()).as("the sweep already removed it").isZero();
    }
}
