package dev.bulwark.testing.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.bulwark.discovery.Health;
import dev.bulwark.discovery.RegistryEvent;
import dev.bulwark.discovery.RegistryException;
import dev.bulwark.discovery.ServiceInstance;
import dev.bulwark.discovery.ServiceRegistry;
import dev.bulwark.discovery.Watch;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link ServiceRegistry} must do, as a JUnit 5 test to extend: Bulwark runs it against
 * the in-memory registry, etcd and ZooKeeper (and, where a server is reachable, Consul and
 * Nacos); run it against your own backend the same way.
 *
 * <p>Each test uses fresh, random service names, so a shared server needs no cleaning between
 * tests. Backends that deliver watch events asynchronously are awaited (never slept on).
 */
public abstract class RegistryContract {
    /** How long to wait for something a registry does asynchronously. */
    protected static final Duration PATIENCE = Duration.ofSeconds(20);

    protected ServiceRegistry registry;

    /** A new client of the registry under test; several clients see the same data. */
    protected abstract ServiceRegistry connect();

    /** A TTL short enough for the expiry test, long enough for the backend (etcd leases start at 1 s). */
    protected Duration shortTtl() {
        return Duration.ofSeconds(2);
    }

    /**
     * Makes {@code registrant} stop renewing its registrations, as a crashed process would. By
     * default it closes the client: backends that renew by themselves (leases, sessions) stop then.
     */
    protected void stopRenewing(ServiceRegistry registrant) {
        registrant.close();
    }

    /** Lets time pass until {@code condition} holds; real backends wait, virtual-time ones advance. */
    protected void awaitUntil(Duration atMost, java.util.concurrent.Callable<Boolean> condition) {
        await().atMost(atMost).pollInterval(Duration.ofMillis(50)).until(condition);
    }

    @BeforeEach
    void connectRegistry() {
        registry = connect();
    }

    @AfterEach
    void closeRegistry() {
        if (registry != null) {
            registry.close();
        }
    }

    protected static String uniqueService() {
        return "svc-" + UUID.randomUUID().toString().substring(0, 8);
    }

    protected static ServiceInstance instance(String service, int port) {
        return ServiceInstance.builder(service, "127.0.0.1", port)
                .version("1.0.0").protocol("grpc").zone("zone-a").weight(2)
                .metadata("commit", "abc123").tag("blue")
                .registeredAt(Instant.now().truncatedTo(ChronoUnit.MILLIS))
                .build();
    }

    private List<RegistryEvent> watchEvents(String service) {
        List<RegistryEvent> events = new CopyOnWriteArrayList<>();
        registry.watch(service, events::add);
        return events;
    }

    @Test
    void aRegisteredInstanceCanBeReadBackWhole() {
        String service = uniqueService();
        ServiceInstance a = instance(service, 9001);
        registry.register(a);
        assertThat(registry.get(service, a.id())).contains(a);
        assertThat(registry.list(service)).containsExactly(a);
        assertThat(registry.get(service, "nobody")).isEmpty();
        assertThat(registry.list(uniqueService())).isEmpty();
    }

    @Test
    void registeringTheSameIdAgainReplacesIt() {
        String service = uniqueService();
        ServiceInstance a = instance(service, 9001);
        registry.register(a);
        ServiceInstance changed = a.toBuilder().weight(7).health(Health.DOWN).build();
        registry.register(changed);
        assertThat(registry.list(service)).containsExactly(changed);
    }

    @Test
    void updateChangesARegisteredInstanceAndRefusesAnUnknownOne() {
        String service = uniqueService();
        ServiceInstance a = instance(service, 9001);
        registry.register(a);
        ServiceInstance updated = a.toBuilder().metadata("commit", "def456").updatedAt(a.registeredAt().plusSeconds(1)).build();
        registry.update(updated);
        assertThat(registry.get(service, a.id())).contains(updated);
        assertThatThrownBy(() -> registry.update(instance(service, 9002))).isInstanceOf(RegistryException.class);
    }

    @Test
    void deregisterRemovesAndIsIdempotent() {
        String service = uniqueService();
        ServiceInstance a = instance(service, 9001);
        ServiceInstance b = instance(service, 9002);
        registry.register(a);
        registry.register(b);
        registry.deregister(service, a.id());
        assertThat(registry.list(service)).containsExactly(b);
        assertThatCode(() -> registry.deregister(service, a.id())).doesNotThrowAnyException();
        assertThatCode(() -> registry.deregister(uniqueService(), "nobody")).doesNotThrowAnyException();
    }

    @Test
    void heartbeatOfAnUnknownInstanceFails() {
        String service = uniqueService();
        assertThatThrownBy(() -> registry.heartbeat(service, "nobody")).isInstanceOf(RegistryException.class);
    }

    @Test
    void listAllGroupsByService() {
        String s1 = uniqueService();
        String s2 = uniqueService();
        registry.register(instance(s1, 9001));
        registry.register(instance(s1, 9002));
        registry.register(instance(s2, 9003));
        assertThat(registry.listAll().get(s1)).hasSize(2);
        assertThat(registry.listAll().get(s2)).hasSize(1);
    }

    @Test
    void aWatchSeesCreatedUpdatedAndDeletedInOrderForItsServiceOnly() {
        String service = uniqueService();
        List<RegistryEvent> events = watchEvents(service);
        ServiceInstance a = instance(service, 9001);
        registry.register(a);
        registry.register(instance(uniqueService(), 9009)); // another service: not seen
        ServiceInstance updated = a.toBuilder().weight(5).build();
        registry.update(updated);
        registry.deregister(service, a.id());
        awaitUntil(PATIENCE, () -> events.size() >= 3);
        assertThat(events).extracting(RegistryEvent::type)
                .containsExactly(RegistryEvent.Type.CREATED, RegistryEvent.Type.UPDATED, RegistryEvent.Type.DELETED);
        assertThat(events.get(0).instance()).isEqualTo(a);
        assertThat(events.get(1).instance()).isEqualTo(updated);
        assertThat(events.get(2).instanceId()).isEqualTo(a.id());
        assertThat(events).allMatch(e -> e.service().equals(service));
    }

    @Test
    void aClosedWatchHearsNothingMore() {
        String service = uniqueService();
        List<RegistryEvent> events = new CopyOnWriteArrayList<>();
        Watch watch = registry.watch(service, events::add);
        registry.register(instance(service, 9001));
        awaitUntil(PATIENCE, () -> events.size() == 1);
        watch.close();
        registry.register(instance(service, 9002));
        // A later event on a second, open watch proves the first would have had time to hear it.
        List<RegistryEvent> witness = watchEvents(service);
        registry.register(instance(service, 9003));
        awaitUntil(PATIENCE, () -> !witness.isEmpty());
        assertThat(events).hasSize(1);
    }

    @Test
    void anInstanceExpiresOnceItsRenewalsStop() {
        String service = uniqueService();
        ServiceRegistry registrant = connect();
        ServiceInstance mortal = instance(service, 9001).toBuilder().ttl(shortTtl()).build();
        registrant.register(mortal);
        awaitUntil(PATIENCE, () -> registry.list(service).size() == 1);
        List<RegistryEvent> events = watchEvents(service);
        stopRenewing(registrant);
        awaitUntil(shortTtl().multipliedBy(10).plus(PATIENCE), () -> registry.list(service).isEmpty());
        awaitUntil(PATIENCE, () -> events.stream().anyMatch(e -> e.type() == RegistryEvent.Type.DELETED));
        assertThat(registry.get(service, mortal.id())).isEmpty();
    }
}
