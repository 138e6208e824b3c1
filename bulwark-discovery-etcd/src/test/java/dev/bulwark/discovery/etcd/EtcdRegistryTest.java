package dev.bulwark.discovery.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bulwark.InvalidConfigException;
import dev.bulwark.discovery.Health;
import dev.bulwark.discovery.Registries;
import dev.bulwark.discovery.RegistryConfig;
import dev.bulwark.discovery.RegistryException;
import dev.bulwark.discovery.ServiceInstance;
import dev.bulwark.discovery.ServiceRegistry;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.options.LeaseOption;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What the etcd registry does beyond the shared contract: its key layout, leases, options and errors. */
class EtcdRegistryTest {
    @RegisterExtension
    static final EtcdServer ETCD = EtcdServer.create("registry");

    private final EtcdRegistry registry = EtcdRegistry.connect(ETCD.config().build());

    @AfterEach
    void close() {
        registry.close();
    }

    private static String uniqueService() {
        return "svc-" + UUID.randomUUID().toString().substring(0, 8);
    }

    private static ServiceInstance instance(String service, int port) {
        return ServiceInstance.builder(service, "10.0.0.7", port).version("1.4.2").protocol("grpc").health(Health.UP)
                .zone("eu-west-1a").weight(3).metadata("commit", "9f2c1e").tag("canary")
                .registeredAt(Instant.parse("2025-01-31T12:00:00.123456789Z"))
                .updatedAt(Instant.parse("2025-01-31T12:00:05Z"))
                .build();
    }

    private static KeyValue raw(String key) throws Exception {
        List<KeyValue> kvs = ETCD.jetcd().getKVClient().get(Keys.bytes(key)).get(5, TimeUnit.SECONDS).getKvs();
        assertThat(kvs).as("key %s", key).hasSize(1);
        return kvs.get(0);
    }

    private static long ttlOf(long lease) throws Exception {
        return ETCD.jetcd().getLeaseClient().timeToLive(lease, LeaseOption.DEFAULT).get(5, TimeUnit.SECONDS).getTTL();
    }

    @Test
    void anInstanceIsStoredAsExplicitJsonUnderPrefixServiceAndId() throws Exception {
        String service = uniqueService();
        ServiceInstance a = instance(service, 8080).toBuilder().ttl(Duration.ofSeconds(30)).build();
        registry.register(a);

        JsonNode json = new ObjectMapper().readTree(raw("/bulwark/services/" + service + "/" + a.id()).getValue().getBytes());
        assertThat(json.get("service").asText()).isEqualTo(service);
        assertThat(json.get("id").asText()).isEqualTo(a.id());
        assertThat(json.get("host").asText()).isEqualTo("10.0.0.7");
        assertThat(json.get("port").asInt()).isEqualTo(8080);
        assertThat(json.get("health").asText()).isEqualTo("UP");
        assertThat(json.get("registeredAt").asText()).isEqualTo("2025-01-31T12:00:00.123456789Z");
        assertThat(json.get("updatedAt").asText()).isEqualTo("2025-01-31T12:00:05Z");
        assertThat(json.get("ttl").asText()).isEqualTo("PT30S");
        assertThat(json.get("metadata").get("commit").asText()).isEqualTo("9f2c1e");
        assertThat(json.get("tags").get(0).asText()).isEqualTo("canary");
        assertThat(registry.get(service, a.id())).contains(a);
        assertThat(registry.keyPrefix()).isEqualTo("/bulwark/services");
    }

    @Test
    void theNamespaceIsTheKeyPrefixAndSeparatesRegistries() throws Exception {
        String service = uniqueService();
        try (EtcdRegistry tenant = EtcdRegistry.connect(ETCD.config().namespace("/tenant-a/").build())) {
            ServiceInstance a = instance(service, 8080);
            tenant.register(a);
            assertThat(tenant.keyPrefix()).isEqualTo("/tenant-a");
            assertThat(raw("/tenant-a/" + service + "/" + a.id()).getValue().getBytes()).isNotEmpty();
            assertThat(tenant.list(service)).containsExactly(a);
            assertThat(registry.list(service)).as("the default prefix sees nothing of another namespace").isEmpty();
        }
    }

    @Test
    void aTtlBecomesALeaseRoundedUpToWholeSecondsAndNoTtlMeansNoLease() throws Exception {
        String service = uniqueService();
        ServiceInstance leased = instance(service, 8080).toBuilder().ttl(Duration.ofMillis(2500)).build();
        ServiceInstance tiny = instance(service, 8081).toBuilder().ttl(Duration.ofMillis(10)).build();
        ServiceInstance forever = instance(service, 8082);
        registry.register(leased);
        registry.register(tiny);
        registry.register(forever);

        long lease = raw("/bulwark/services/" + service + "/" + leased.id()).getLease();
        assertThat(lease).isNotZero();
        assertThat(ETCD.jetcd().getLeaseClient().timeToLive(lease, LeaseOption.DEFAULT).get(5, TimeUnit.SECONDS)
                .getGrantedTTL()).isEqualTo(3);
        long tinyLease = raw("/bulwark/services/" + service + "/" + tiny.id()).getLease();
        assertThat(ETCD.jetcd().getLeaseClient().timeToLive(tinyLease, LeaseOption.DEFAULT).get(5, TimeUnit.SECONDS)
                .getGrantedTTL()).as("at least etcd's one second").isEqualTo(1);
        assertThat(raw("/bulwark/services/" + service + "/" + forever.id()).getLease()).isZero();
        assertThat(LeaseKeeper.ttlSeconds(Duration.ofSeconds(15))).isEqualTo(15);
    }

    @Test
    void theClientKeepsItsLeasesAliveWithoutHeartbeats() {
        String service = uniqueService();
        ServiceInstance mortal = instance(service, 8080).toBuilder().ttl(Duration.ofSeconds(1)).build();
        registry.register(mortal);
        // Three TTLs without a heartbeat from us: jetcd's keepalive renews the lease.
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(200))
                .until(() -> registry.get(service, mortal.id()).isPresent());
        registry.heartbeat(service, mortal.id()); // renews once more, and finds it registered
    }

    @Test
    void deregisterDeletesTheKeyAndRevokesItsLease() throws Exception {
        String service = uniqueService();
        ServiceInstance a = instance(service, 8080).toBuilder().ttl(Duration.ofSeconds(30)).build();
        registry.register(a);
        long lease = raw("/bulwark/services/" + service + "/" + a.id()).getLease();

        registry.deregister(service, a.id());

        assertThat(registry.get(service, a.id())).isEmpty();
        assertThat(ttlOf(lease)).as("a revoked lease has TTL -1").isEqualTo(-1);
    }

    @Test
    void anotherClientsDeregistrationIsNotUndoneByTheOwnersKeepalive() {
        String service = uniqueService();
        ServiceInstance a = instance(service, 8080).toBuilder().ttl(Duration.ofSeconds(1)).build();
        registry.register(a);
        try (EtcdRegistry other = EtcdRegistry.connect(ETCD.config().build())) {
            other.deregister(service, a.id());
        }
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(200))
                .until(() -> registry.get(service, a.id()).isEmpty());
    }

    @Test
    void updateKeepsTheLeaseAndRegisteringAgainReplacesIt() throws Exception {
        String service = uniqueService();
        ServiceInstance a = instance(service, 8080).toBuilder().ttl(Duration.ofSeconds(30)).build();
        registry.register(a);
        String key = "/bulwark/services/" + service + "/" + a.id();
        long lease = raw(key).getLease();

        ServiceInstance drained = a.toBuilder().health(Health.DOWN).updatedAt(a.registeredAt().plusSeconds(60)).build();
        registry.update(drained);
        assertThat(raw(key).getLease()).isEqualTo(lease);
        assertThat(registry.get(service, a.id())).contains(drained);

        registry.register(a);
        long renewed = raw(key).getLease();
        assertThat(renewed).isNotEqualTo(lease);
        await().atMost(Duration.ofSeconds(5)).until(() -> ttlOf(lease) == -1); // the old lease is revoked, the key kept
        assertThat(registry.get(service, a.id())).contains(a);
    }

    @Test
    void updateAndHeartbeatOfAMissingInstanceFailNamingIt() {
        String service = uniqueService();
        assertThatThrownBy(() -> registry.update(instance(service, 8080)))
                .isInstanceOf(RegistryException.class).hasMessageContaining(service).hasMessageContaining("not registered");
        assertThatThrownBy(() -> registry.heartbeat(service, "gone"))
                .isInstanceOf(RegistryException.class).hasMessageContaining(service + "/gone");
    }

    @Test
    void listAndListAllReadEveryInstanceAcrossPages() throws Exception {
        String service = uniqueService();
        int port = 1;
        while (port <= 1_205) { // more than one page of 1000, written straight to etcd 100 per transaction
            List<Op> puts = new java.util.ArrayList<>();
            for (int i = 0; i < 100 && port <= 1_205; i++, port++) {
                ServiceInstance instance = ServiceInstance.builder(service, "10.0.0.1", port).registeredAt(Instant.EPOCH).build();
                puts.add(Op.put(Keys.bytes("/bulwark/services/" + service + "/" + instance.id()),
                        io.etcd.jetcd.ByteSequence.from(InstanceJson.write(instance)), PutOption.DEFAULT));
            }
            ETCD.jetcd().getKVClient().txn().Then(puts.toArray(Op[]::new)).commit().get(5, TimeUnit.SECONDS);
        }
        assertThat(registry.list(service)).hasSize(1_205);
        assertThat(registry.listAll().get(service)).hasSize(1_205);
    }

    @Test
    void registriesCreatesItFromAConfigThroughTheProvider() {
        String service = uniqueService();
        ServiceInstance a = instance(service, 8080);
        try (ServiceRegistry viaConfig = Registries.create(RegistryConfig.fromMap(java.util.Map.of(
                "type", "etcd", "endpoints", ETCD.endpoint().replace("http://", ""), "connect-timeout", "2s")))) {
            assertThat(viaConfig).isInstanceOf(EtcdRegistry.class);
            viaConfig.register(a);
            assertThat(registry.get(service, a.id())).contains(a);
        }
    }

    @Test
    void anUnreachableServerFailsEveryCallWithinTheConnectTimeoutNamingIt() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            closedPort = socket.getLocalPort();
        }
        RegistryConfig config = RegistryConfig.builder(RegistryConfig.ETCD)
                .endpoints("127.0.0.1:" + closedPort).connectTimeout(Duration.ofSeconds(1)).build();
        try (EtcdRegistry down = EtcdRegistry.connect(config)) {
            long start = System.nanoTime();
            assertThatThrownBy(() -> down.list("users"))
                    .isInstanceOf(RegistryException.class)
                    .hasMessageContaining("etcd at [http://127.0.0.1:" + closedPort + "]")
                    .hasMessageContaining("list users");
            assertThatThrownBy(() -> down.register(instance("users", 8080).toBuilder().ttl(Duration.ofSeconds(5)).build()))
                    .isInstanceOf(RegistryException.class).hasMessageContaining("register users/");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        }
    }

    @Test
    void aClosedRegistryRefusesCalls() {
        EtcdRegistry closed = EtcdRegistry.connect(ETCD.config().build());
        closed.close();
        assertThatThrownBy(() -> closed.list("users")).isInstanceOf(RegistryException.class).hasMessageContaining("closed");
        assertThatThrownBy(() -> closed.watch("users", e -> { })).isInstanceOf(RegistryException.class);
    }

    @Test
    void badEtcdSettingsFailNamingTheField() {
        assertThatThrownBy(() -> EtcdRegistry.connect(RegistryConfig.builder(RegistryConfig.ETCD)
                .endpoints("ftp://10.0.0.1:2379").build()))
                .isInstanceOf(InvalidConfigException.class).hasMessageStartingWith("endpoints = ftp://10.0.0.1:2379");
        assertThatThrownBy(() -> EtcdRegistry.connect(RegistryConfig.builder(RegistryConfig.ETCD)
                .endpoints("http://10.0.0.1:2379").tls(true).build()))
                .isInstanceOf(InvalidConfigException.class).hasMessageContaining("when tls is on");
        assertThatThrownBy(() -> EtcdRegistry.connect(RegistryConfig.builder(RegistryConfig.ETCD)
                .endpoints("10.0.0.1:2379").option("token", "x").build()))
                .isInstanceOf(InvalidConfigException.class).hasMessageStartingWith("option.token = x");
        assertThatThrownBy(() -> EtcdRegistry.connect(RegistryConfig.builder(RegistryConfig.ETCD)
                .endpoints("10.0.0.1:2379").option("tls-ca-file", "/etc/hostname").build()))
                .isInstanceOf(InvalidConfigException.class).hasMessageContaining("only with TLS on");
        assertThatThrownBy(() -> EtcdRegistry.connect(RegistryConfig.builder(RegistryConfig.ETCD)
                .endpoints("https://10.0.0.1:2379").option("tls-cert-file", "/etc/hostname").build()))
                .isInstanceOf(InvalidConfigException.class).hasMessageStartingWith("option.tls-key-file = missing");
        assertThatThrownBy(() -> EtcdRegistry.connect(RegistryConfig.builder(RegistryConfig.ETCD)
                .endpoints("https://10.0.0.1:2379").option("tls-ca-file", "/no/such/ca.pem").build()))
                .isInstanceOf(InvalidConfigException.class).hasMessageContaining("a readable PEM file");
        assertThatThrownBy(() -> EtcdRegistry.connect(RegistryConfig.memory()))
                .isInstanceOf(InvalidConfigException.class).hasMessageStartingWith("type = memory");
    }

    @Test
    void invalidNamesAreRefusedBeforeAnyCall() {
        assertThatThrownBy(() -> registry.get("a/b", "x")).isInstanceOf(InvalidConfigException.class)
                .hasMessageStartingWith("service = \"a/b\"");
        assertThatThrownBy(() -> registry.deregister("users", "")).isInstanceOf(InvalidConfigException.class)
                .hasMessageStartingWith("instanceId = \"\"");
    }
}
