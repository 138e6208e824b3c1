package dev.bulwark.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.testing.VirtualScheduler;
import dev.bulwark.testing.discovery.FaultInjectingRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class DiscoveryCacheTest {
    private final VirtualScheduler scheduler = new VirtualScheduler();
    private final InMemoryRegistry inner = InMemoryRegistry.create(scheduler, Duration.ofSeconds(1));
    private final FaultInjectingRegistry registry = FaultInjectingRegistry.wrap(inner, scheduler);
    private DiscoveryCache cache;

    private static final java.time.Instant REGISTERED = java.time.Instant.parse("2026-01-01T00:00:00Z");

    /** The same instance every time for a port: equal content, equal instance. */
    private static ServiceInstance instance(int port) {
        return ServiceInstance.builder("users", "127.0.0.1", port).registeredAt(REGISTERED).build();
    }

    private DiscoveryCache start() {
        cache = DiscoveryCache.builder(registry, "users").scheduler(scheduler)
                .resyncEvery(Duration.ofSeconds(30)).confirmEmptyAfter(Duration.ofSeconds(1)).build().start();
        return cache;
    }

    @AfterEach
    void close() {
        if (cache != null) {
            cache.close();
        }
    }

    @Test
    void readsInFullThenFollowsTheWatch() {
        inner.register(instance(1));
        start();
        assertThat(cache.instances()).containsExactly(instance(1));
        inner.register(instance(2));
        assertThat(cache.instances()).containsExactlyInAnyOrder(instance(1), instance(2));
        inner.deregister("users", instance(1).id());
        assertThat(cache.instances()).containsExactly(instance(2));
        assertThat(cache.stats().refreshes()).isEqualTo(1);
    }

    @Test
    void anOutageKeepsTheLastKnownListAndSaysHowStaleItIs() {
        inner.register(instance(1));
        inner.register(instance(2));
        start();
        registry.unreachable(true);
        scheduler.advance(Duration.ofSeconds(31)); // the periodic resync fails
        inner.register(instance(3));                // a change the dead connection cannot deliver
        assertThat(cache.instances()).containsExactlyInAnyOrder(instance(1), instance(2));
        CacheStats during = cache.stats();
        assertThat(during.degraded()).isTrue();
        assertThat(during.errors()).isGreaterThanOrEqualTo(2); // the disconnect and the failed read
        assertThat(during.staleServes()).isEqualTo(1);
        assertThat(during.dataAgeNanos()).isGreaterThanOrEqualTo(Duration.ofSeconds(31).toNanos());
        assertThat(during.lastError()).contains("unreachable");

        registry.unreachable(false);  // the watch resumes and reports it missed events: a full read follows
        scheduler.runDue();
        assertThat(cache.instances()).containsExactlyInAnyOrder(instance(1), instance(2), instance(3));
        assertThat(cache.stats().degraded()).isFalse();
        assertThat(cache.instances()).containsExactlyInAnyOrderElementsOf(inner.list("users"));
    }

    @Test
    void aQuietLiveWatchKeepsTheDataCurrentSoAnOutageIsAsStaleAsItIsLong() {
        inner.register(instance(1));
        start();
        scheduler.advance(Duration.ofSeconds(15)); // nothing changes; the watch stays connected
        assertThat(cache.stats().dataAgeNanos()).as("current while watched").isZero();

        registry.unreachable(true);                // the watch is lost now
        scheduler.advance(Duration.ofMillis(40));

        assertThat(cache.stats().degraded()).isTrue();
        assertThat(cache.stats().dataAgeNanos()).as("stale since the watch was lost, not since the last read")
                .isEqualTo(Duration.ofMillis(40).toNanos());
    }

    @Test
    void anEmptyPushNeverWipesTheList() {
        inner.register(instance(1));
        inner.register(instance(2));
        start();
        registry.pushEmpty("users"); // every instance "deleted" in one push, though none was
        assertThat(cache.instances()).as("the push would empty it: refused whole, not thinned")
                .containsExactlyInAnyOrder(instance(1), instance(2));
        scheduler.advance(Duration.ofSeconds(1)); // the confirming read finds them all
        assertThat(cache.instances()).containsExactlyInAnyOrder(instance(1), instance(2));
        assertThat(cache.stats().emptyWipesRefused()).isEqualTo(1);
    }

    @Test
    void anEmptyReadIsBelievedOnlyWhenASecondReadConfirmsIt() {
        inner.register(instance(1));
        start();
        registry.emptyReads(true);
        cache.resync();
        assertThat(cache.instances()).containsExactly(instance(1));
        registry.emptyReads(false);
        scheduler.advance(Duration.ofSeconds(1));
        assertThat(cache.instances()).as("the confirming read disagreed").containsExactly(instance(1));

        inner.deregister("users", instance(1).id()); // really gone now
        assertThat(cache.instances()).as("refused until confirmed").containsExactly(instance(1));
        scheduler.advance(Duration.ofSeconds(1));
        assertThat(cache.instances()).as("confirmed by a second read").isEmpty();
        assertThat(cache.stats().emptyWipesRefused()).isEqualTo(2);
    }

    @Test
    void aChangeSeenWhileAReadIsInFlightIsNotUndoneByTheRead() {
        inner.register(instance(1));
        List<Runnable> duringNextRead = new ArrayList<>();
        ServiceRegistry racing = new ForwardingRegistry(inner) {
            @Override
            public List<ServiceInstance> list(String service) {
                List<ServiceInstance> answer = super.list(service); // the registry answers...
                duringNextRead.forEach(Runnable::run);              // ...a change happens meanwhile...
                duringNextRead.clear();
                return answer;                                      // ...and the answer arrives stale
            }
        };
        cache = DiscoveryCache.builder(racing, "users").scheduler(scheduler).build().start();
        duringNextRead.add(() -> inner.register(instance(2)));
        duringNextRead.add(() -> inner.deregister("users", instance(1).id()));
        inner.register(instance(3)); // keeps the list non-empty throughout
        cache.resync();
        assertThat(cache.instances()).containsExactlyInAnyOrder(instance(2), instance(3));
        assertThat(cache.instances()).containsExactlyInAnyOrderElementsOf(inner.list("users"));
    }

    @Test
    void aChangeBetweenTheWatchStartingAndTheFirstReadIsNotMissed() {
        inner.register(instance(1));
        boolean[] changed = {false};
        ServiceRegistry racing = new ForwardingRegistry(inner) {
            @Override
            public List<ServiceInstance> list(String service) {
                List<ServiceInstance> answer = super.list(service);
                if (!changed[0]) {
                    changed[0] = true;
                    inner.register(instance(2)); // lands after the answer was read, before it arrives
                }
                return answer;
            }
        };
        cache = DiscoveryCache.builder(racing, "users").scheduler(scheduler).build().start();
        assertThat(cache.instances()).containsExactlyInAnyOrder(instance(1), instance(2));
    }

    @Test
    void aCompleteResumeEndsTheDegradedState() {
        inner.register(instance(1));
        start();
        registry.bounceWatches(true);
        assertThat(cache.stats().degraded()).as("everything missed was replayed").isFalse();
        assertThat(cache.stats().errors()).isEqualTo(1);
    }

    @Test
    void listenersHearEveryChange() {
        start();
        List<Integer> sizes = new ArrayList<>();
        cache.addListener(list -> sizes.add(list.size()));
        inner.register(instance(1));
        inner.register(instance(2));
        inner.register(instance(2)); // no change in content: no call
        assertThat(sizes).containsExactly(1, 2);
    }
}
