package dev.bulwark.discovery.nacos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.bulwark.discovery.DiscoveryCache;
import dev.bulwark.discovery.Health;
import dev.bulwark.discovery.RegistryEvent;
import dev.bulwark.discovery.RegistryException;
import dev.bulwark.discovery.ServiceInstance;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * What the contract does not cover, against a real Nacos server ({@code NACOS_ADDR}): every field
 * through the server to another client, pushes from another client's changes, Nacos's rule that
 * only the registering client removes an ephemeral instance, persistent instances, and auth.
 */
@EnabledIfEnvironmentVariable(named = "NACOS_ADDR", matches = ".+", disabledReason = TestNacos.SKIPPED)
class NacosServerTest {
    private static final Duration PATIENCE = Duration.ofSeconds(20);

    private final List<NacosRegistry> clients = new CopyOnWriteArrayList<>();

    private NacosRegistry client() {
        NacosRegistry client = TestNacos.connect();
        clients.add(client);
        return client;
    }

    @AfterEach
    void closeClients() {
        clients.forEach(NacosRegistry::close);
    }

    private static String uniqueService() {
        return "svc-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static ServiceInstance full(String service, int port) {
        return ServiceInstance.builder(service, "127.0.0.1", port).id("i-" + port)
                .version("2.1.0").protocol("grpc").zone("zone-b").weight(20_000).health(Health.UNKNOWN)
                .metadata("commit", "abc123").metadata("bulwark.team", "core").tag("blue").tag("with, comma")
                .registeredAt(Instant.now().truncatedTo(ChronoUnit.MILLIS)).ttl(Duration.ofSeconds(30))
                .build();
    }

    @Test
    void anotherClientReadsEveryFieldBackThroughTheServer() {
        String service = uniqueService();
        ServiceInstance instance = full(service, 9101);
        client().register(instance);
        NacosRegistry reader = client();
        await().atMost(PATIENCE).until(() -> reader.get(service, instance.id()).isPresent());
        assertThat(reader.get(service, instance.id())).contains(instance);
        assertThat(reader.corruptEntries().skippedReads()).isZero();
    }

    @Test
    void aClientReadsItsOwnWritesThoughTheServersSnapshotLagsThem() {
        String service = uniqueService();
        NacosRegistry registry = client();
        ServiceInstance a = full(service, 9107);
        registry.register(a);
        assertThat(registry.list(service)).containsExactly(a); // the server now answers from this snapshot
        ServiceInstance b = full(service, 9108);
        registry.register(b);
        registry.deregister(service, a.id());
        assertThat(registry.list(service)).containsExactly(b);
        NacosRegistry other = client(); // no own writes to lay over: the server catches up by itself
        await().atMost(PATIENCE).until(() -> other.list(service).equals(List.of(b)));
    }

    @Test
    void aWatchHearsAnotherClientsInstancesComeAndGo() {
        String service = uniqueService();
        NacosRegistry watcher = client();
        List<RegistryEvent> events = new CopyOnWriteArrayList<>();
        watcher.watch(service, events::add);
        NacosRegistry registrant = client();
        ServiceInstance instance = full(service, 9102);
        registrant.register(instance);
        await().atMost(PATIENCE).until(() -> !events.isEmpty());
        registrant.close(); // its connection ends: Nacos drops its ephemeral instances and pushes
        await().atMost(PATIENCE).until(() -> events.size() >= 2);
        assertThat(events).containsExactly(RegistryEvent.created(instance), RegistryEvent.deleted(service, instance.id(), instance));
    }

    @Test
    void aDiscoveryCacheFollowsTheServer() {
        String service = uniqueService();
        NacosRegistry registrant = client();
        ServiceInstance a = full(service, 9103);
        registrant.register(a);
        try (DiscoveryCache cache = DiscoveryCache.builder(client(), service).build().start()) {
            await().atMost(PATIENCE).until(() -> cache.instances().contains(a));
            ServiceInstance b = full(service, 9104);
            registrant.register(b);
            await().atMost(PATIENCE).until(() -> cache.instances().size() == 2);
            registrant.deregister(service, a.id());
            await().atMost(PATIENCE).until(() -> cache.instances().equals(List.of(b)));
        }
    }

    @Test
    void onlyTheRegisteringClientRemovesAnEphemeralInstance() {
        String service = uniqueService();
        NacosRegistry owner = client();
        ServiceInstance instance = full(service, 9105);
        owner.register(instance);
        NacosRegistry other = client();
        await().atMost(PATIENCE).until(() -> other.get(service, instance.id()).isPresent());
        assertThatThrownBy(() -> other.deregister(service, instance.id()))
                .isInstanceOf(RegistryException.class).hasMessageContaining("another Nacos client");
        owner.deregister(service, instance.id());
        await().atMost(PATIENCE).until(() -> other.list(service).isEmpty());
    }

    @Test
    void persistentInstancesOutliveTheirClientUntilDeregistered() {
        String service = uniqueService();
        NacosRegistry registrant = NacosRegistry.connect(TestNacos.config().option("ephemeral", "false").build());
        clients.add(registrant);
        ServiceInstance instance = full(service, 9106);
        registrant.register(instance);
        registrant.close();
        NacosRegistry other = NacosRegistry.connect(TestNacos.config().option("ephemeral", "false").build());
        clients.add(other);
        await().atMost(PATIENCE).until(() -> other.get(service, instance.id()).isPresent());
        assertThat(other.get(service, instance.id()).orElseThrow().id()).isEqualTo(instance.id());
        other.deregister(service, instance.id());
        await().atMost(PATIENCE).until(() -> other.list(service).isEmpty());
    }

    @Test
    @EnabledIfEnvironmentVariable(named = "NACOS_USERNAME", matches = ".+", disabledReason = "the server's auth is off")
    void aWrongPasswordFailsTheCallsSayingSo() {
        NacosRegistry intruder = NacosRegistry.connect(TestNacos.config().credentials(System.getenv("NACOS_USERNAME"), "wrong")
                .build());
        clients.add(intruder);
        assertThatThrownBy(() -> intruder.list(uniqueService()))
                .isInstanceOf(RegistryException.class)
                .hasMessageContaining(System.getenv("NACOS_ADDR")).hasMessageContaining("Nacos error 403");
    }
}
