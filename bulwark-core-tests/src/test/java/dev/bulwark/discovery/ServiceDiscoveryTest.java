package dev.bulwark.discovery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.call.ClientPool;
import dev.bulwark.call.PoolEndpoint;
import dev.bulwark.testing.VirtualScheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ServiceDiscoveryTest {
    private static final Instant REGISTERED = Instant.parse("2026-01-01T00:00:00Z");
    private final VirtualScheduler scheduler = new VirtualScheduler();
    private final InMemoryRegistry registry = InMemoryRegistry.create(scheduler, Duration.ofSeconds(1));
    private final Set<String> failingChecks = new java.util.HashSet<>();
    private final HealthView health = instance -> !failingChecks.contains(instance.id());
    private final ServiceDiscovery discovery = ServiceDiscovery.builder(registry).scheduler(scheduler).health(health).build();

    private static ServiceInstance instance(int port) {
        return ServiceInstance.builder("users", "127.0.0.1", port).registeredAt(REGISTERED).build();
    }

    @AfterEach
    void close() {
        discovery.close();
        registry.close();
    }

    @Test
    void onlyServingInstancesAreReturnedByDefault() {
        registry.register(instance(1));
        registry.register(instance(2).withHealth(Health.DOWN));
        registry.register(instance(3).withHealth(Health.UP));
        registry.register(instance(4));
        failingChecks.add(instance(4).id());
        assertThat(discovery.instances("users")).containsExactlyInAnyOrder(instance(1), instance(3).withHealth(Health.UP));
        assertThat(discovery.allInstances("users")).hasSize(4);
    }

    @Test
    void pickBalancesOverServingInstancesOnly() {
        registry.register(instance(1));
        registry.register(instance(2));
        registry.register(instance(3).withHealth(Health.DOWN));
        Map<Integer, Integer> picks = new HashMap<>();
        for (int i = 0; i < 10; i++) {
            picks.merge(discovery.pick("users").orElseThrow().port(), 1, Integer::sum);
        }
        assertThat(picks).containsOnlyKeys(1, 2).containsEntry(1, 5).containsEntry(2, 5);
        assertThat(discovery.pick("nobody")).isEmpty();
    }

    @Test
    void watchersSeeTheListNowAndAfterEachChangeUntilTheyStop() throws Exception {
        List<Integer> sizes = new ArrayList<>();
        AutoCloseable watching = discovery.watch("users", list -> sizes.add(list.size()));
        registry.register(instance(1));
        registry.register(instance(2));
        watching.close();
        registry.register(instance(3));
        assertThat(sizes).containsExactly(0, 1, 2);
    }

    @Test
    void pickRefusesStrategiesThatNeedCallStatistics() {
        for (dev.bulwark.balance.Strategy s : dev.bulwark.balance.Strategy.values()) {
            if (s.needsStatistics()) {
                org.assertj.core.api.Assertions.assertThatThrownBy(() -> ServiceDiscovery.builder(registry).strategy(s))
                        .isInstanceOf(dev.bulwark.InvalidConfigException.class)
                        .hasMessageStartingWith("strategy = " + s + ": allowed is a strategy that needs no call statistics")
                        .hasMessageContaining("DiscoveryPools.bind");
            } else {
                assertThat(ServiceDiscovery.builder(registry).strategy(s).build()).isNotNull();
            }
        }
    }

    @Test
    void aClientFactoryFailingForOneInstanceCostsOnlyThatInstance() throws Exception {
        ClientPool<Client> pool = ClientPool.<Client>builder("users").build();
        ServiceInstance bad = instance(66);
        int[] attempts = {0};
        registry.register(instance(1));
        registry.register(bad);
        registry.register(instance(2));
        DiscoveryPools.Binding binding = DiscoveryPools.bind(pool, discovery, "users", instance -> {
            if (instance.port() == 66) {
                attempts[0]++;
                throw new IllegalArgumentException("cannot reach " + instance.address());
            }
            return new Client(instance);
        });

        assertThat(pool.endpoints()).extracting(PoolEndpoint::name).containsExactlyInAnyOrder(instance(1).id(), instance(2).id());
        assertThat(binding.factoryFailures()).isEqualTo(1);
        assertThat(binding.skipped()).containsExactly(bad.id());

        registry.register(instance(3)); // another change: the failed version is not tried again
        assertThat(attempts[0]).isEqualTo(1);
        registry.register(bad.toBuilder().weight(2).build()); // the bad instance changed: tried again
        assertThat(attempts[0]).isEqualTo(2);
        assertThat(binding.factoryFailures()).isEqualTo(2);

        binding.close();
        registry.register(instance(4));
        assertThat(pool.endpoints()).as("a closed binding no longer follows discovery").hasSize(3);
    }

    /** A client that records whether it was closed. */
    static final class Client implements AutoCloseable {
        final String address;
        final AtomicBoolean closed = new AtomicBoolean();

        Client(ServiceInstance instance) {
            this.address = instance.address();
        }

        @Override
        public void close() {
            closed.set(true);
        }
    }

    @Test
    void aPoolFollowsDiscoveryAndClosesTheClientsOfInstancesThatLeave() {
        ClientPool<Client> pool = ClientPool.<Client>builder("users").closeRemovedClients(true).build();
        registry.register(instance(1));
        DiscoveryPools.bind(pool, discovery, "users", Client::new);
        assertThat(pool.endpoints()).extracting(PoolEndpoint::name).containsExactly(instance(1).id());
        Client first = pool.endpoints().get(0).client();

        registry.register(instance(2).toBuilder().weight(3).build());
        assertThat(pool.endpoints()).extracting(PoolEndpoint::name).containsExactlyInAnyOrder(instance(1).id(), instance(2).id());
        assertThat(pool.endpoint(instance(2).id()).orElseThrow().weight()).isEqualTo(3);

        registry.register(instance(2).toBuilder().weight(5).build());
        assertThat(pool.endpoint(instance(2).id()).orElseThrow().weight()).isEqualTo(5);

        registry.register(instance(1).withHealth(Health.DOWN)); // stops serving: out of the pool
        assertThat(pool.endpoints()).extracting(PoolEndpoint::name).containsExactly(instance(2).id());
        assertThat(first.closed).as("no call was running on it: closed at once").isTrue();

        String answer = pool.call((client, endpoint, context) -> client.address);
        assertThat(answer).isEqualTo("127.0.0.1:2");
    }
}
