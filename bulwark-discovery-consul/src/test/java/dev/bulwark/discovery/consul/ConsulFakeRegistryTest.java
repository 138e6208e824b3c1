package dev.bulwark.discovery.consul;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.bulwark.InvalidConfigException;
import dev.bulwark.discovery.Health;
import dev.bulwark.discovery.Registries;
import dev.bulwark.discovery.RegistryException;
import dev.bulwark.discovery.ServiceInstance;
import dev.bulwark.discovery.ServiceRegistry;
import dev.bulwark.testing.VirtualScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What the Consul backend does beyond the shared contract, against the in-process TEST FAKE of
 * Consul's HTTP API ({@link FakeConsul}), in virtual time: how instances look in Consul, TTL
 * checks and their expiry, the renewal of TTL-less instances, corrupt and foreign entries, ACL
 * tokens, meta escaping and limits, health from Consul's checks.
 */
class ConsulFakeRegistryTest {
    private final VirtualScheduler scheduler = new VirtualScheduler();
    private FakeConsul fake = FakeConsul.start(scheduler);
    private final List<AutoCloseable> closing = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
        fake.close();
        assertThat(scheduler.taskFailures()).isEmpty();
    }

    private ConsulRegistry client(String token) {
        var config = Fakes.config(fake).sessionTimeout(Duration.ofSeconds(3));
        if (token != null) {
            config.option(ConsulSettings.TOKEN, token);
        }
        ConsulRegistry registry = ConsulRegistry.connect(config.build(), scheduler, Runnable::run);
        closing.add(registry);
        return registry;
    }

    private ConsulRegistry client() {
        return client(null);
    }

    @Test
    void fakeSeesBulwarksFieldsAsServiceMetaAndWeightsWithAPassingTtlCheck() {
        String service = Fakes.uniqueService();
        ServiceInstance a = Fakes.instance(service, 9001).toBuilder().ttl(Duration.ofSeconds(7)).weight(5).build();
        client().register(a);

        JsonNode entry = Fakes.health(fake, service).get(0);
        assertThat(entry.at("/Service/ID").asText()).isEqualTo(a.id());
        assertThat(entry.at("/Service/Address").asText()).isEqualTo("127.0.0.1");
        assertThat(entry.at("/Service/Port").asInt()).isEqualTo(9001);
        assertThat(entry.at("/Service/Tags/0").asText()).isEqualTo("blue");
        assertThat(entry.at("/Service/Weights/Passing").asInt()).isEqualTo(5);
        JsonNode meta = entry.at("/Service/Meta");
        assertThat(meta.get("bulwark").asText()).isEqualTo("1");
        assertThat(meta.get("bulwark-version").asText()).isEqualTo("1.0.0");
        assertThat(meta.get("bulwark-protocol").asText()).isEqualTo("grpc");
        assertThat(meta.get("bulwark-zone").asText()).isEqualTo("zone-a");
        assertThat(meta.get("bulwark-weight").asText()).isEqualTo("5");
        assertThat(meta.get("bulwark-health").asText()).isEqualTo("UNKNOWN");
        assertThat(meta.get("bulwark-ttl").asText()).isEqualTo("PT7S");
        assertThat(meta.get("bulwark-registered-at").asText()).isEqualTo(a.registeredAt().toString());
        assertThat(meta.get("commit").asText()).isEqualTo("abc123");
        assertThat(fake.checkStatus("service:" + a.id())).contains("passing");
    }

    @Test
    void fakeTtlInstanceLivesWhileHeartbeatedIsGoneOnceItsCheckTurnsCriticalAndConsulLaterRemovesIt() {
        ConsulRegistry registry = client();
        String service = Fakes.uniqueService();
        ServiceInstance mortal = Fakes.instance(service, 9001).toBuilder().ttl(Duration.ofSeconds(2)).build();
        registry.register(mortal);
        for (int i = 0; i < 5; i++) {
            scheduler.advance(Duration.ofMillis(1_500));
            registry.heartbeat(service, mortal.id());
        }
        assertThat(registry.list(service)).containsExactly(mortal);

        scheduler.advance(Duration.ofMillis(2_100));
        assertThat(fake.checkStatus("service:" + mortal.id())).contains("critical");
        assertThat(registry.list(service)).as("its TTL ran out").isEmpty();
        assertThat(registry.get(service, mortal.id())).isEmpty();
        assertThat(fake.hasService(mortal.id())).as("Consul keeps it until deregister-critical-after").isTrue();

        scheduler.advance(Duration.ofSeconds(91)); // 1 m, plus up to one 30 s reaper period
        assertThat(fake.hasService(mortal.id())).isFalse();
        assertThatThrownBy(() -> registry.heartbeat(service, mortal.id()))
                .isInstanceOf(RegistryException.class).hasMessageContaining("not registered");
    }

    @Test
    void fakeInstanceWithoutTtlIsKeptAliveByItsClientUntilTheClientCloses() {
        ConsulRegistry owner = client();
        ConsulRegistry reader = client();
        String service = Fakes.uniqueService();
        ServiceInstance immortal = Fakes.instance(service, 9001);
        owner.register(immortal);
        scheduler.advance(Duration.ofSeconds(30)); // ten session timeouts: renewed every second
        assertThat(reader.list(service)).containsExactly(immortal);

        owner.close();
        scheduler.advance(Duration.ofSeconds(4));
        assertThat(fake.checkStatus("service:" + immortal.id())).contains("critical");
        assertThat(reader.list(service)).isEmpty();
    }

    @Test
    void fakeInstancesWithoutTtlComeBackWhenTheAgentForgotThemWhileTtlOnesAreLeftToTheirOwners() {
        ConsulRegistry owner = client();
        String service = Fakes.uniqueService();
        ServiceInstance immortal = Fakes.instance(service, 9001);
        ServiceInstance mortal = Fakes.instance(service, 9002).toBuilder().ttl(Duration.ofSeconds(10)).build();
        owner.register(immortal);
        owner.register(mortal);

        fake.forgetEverything();
        scheduler.advance(Duration.ofMillis(1_100)); // the next renewal finds the check unknown
        assertThat(owner.list(service)).containsExactly(immortal);
        assertThatThrownBy(() -> owner.heartbeat(service, mortal.id()))
                .isInstanceOf(RegistryException.class).hasMessageContaining("not registered");
    }

    @Test
    void fakeCorruptMetaIsSkippedAndCountedWhileServicesOfOtherToolsAreRead() {
        ConsulRegistry registry = client();
        String service = Fakes.uniqueService();
        ServiceInstance good = Fakes.instance(service, 9001);
        registry.register(good);
        Fakes.send(fake, "PUT", "/v1/agent/service/register", "{\"ID\":\"bad-1\",\"Name\":\"" + service + "\",\"Port\":9002,"
                + "\"Meta\":{\"bulwark\":\"1\",\"bulwark-weight\":\"heavy\"},\"Check\":{\"TTL\":\"30s\",\"Status\":\"passing\"}}", null);
        Fakes.send(fake, "PUT", "/v1/agent/service/register", "{\"ID\":\"bad-2\",\"Name\":\"" + service + "\",\"Port\":9003,"
                + "\"Meta\":{\"bulwark\":\"1\",\"bulwark-registered-at\":\"yesterday\"}}", null);
        Fakes.send(fake, "PUT", "/v1/agent/service/register", "{\"ID\":\"other-tool\",\"Name\":\"" + service + "\","
                + "\"Address\":\"10.0.0.9\",\"Port\":8080,\"Tags\":[\"v2\"],\"Meta\":{\"team\":\"payments\"},"
                + "\"Weights\":{\"Passing\":3,\"Warning\":1}}", null);
        Fakes.send(fake, "PUT", "/v1/agent/service/register", "{\"ID\":\"portless\",\"Name\":\"" + service + "\"}", null);

        List<ServiceInstance> listed = registry.list(service);

        assertThat(listed).extracting(ServiceInstance::id).containsExactlyInAnyOrder(good.id(), "other-tool");
        assertThat(registry.corruptEntries()).as("bad-1 and bad-2; not the portless service of another tool")
                .isEqualTo(new dev.bulwark.discovery.CorruptEntryCounts(2, 2));
        ServiceInstance foreign = registry.get(service, "other-tool").orElseThrow();
        assertThat(foreign.host()).isEqualTo("10.0.0.9");
        assertThat(foreign.weight()).isEqualTo(3);
        assertThat(foreign.tags()).containsExactly("v2");
        assertThat(foreign.metadata()).containsEntry("team", "payments");
        assertThat(foreign.health()).as("its node's serfHealth passes").isEqualTo(Health.UP);
    }

    @Test
    void fakeAclTokenIsRequiredWhenConsulHasAcls() {
        fake.close();
        fake = FakeConsul.withToken(scheduler, "s3cret");
        String service = Fakes.uniqueService();
        ServiceInstance a = Fakes.instance(service, 9001);

        ConsulRegistry tokenless = client();
        assertThatThrownBy(() -> tokenless.register(a)).isInstanceOf(RegistryException.class)
                .hasMessageContaining("403").hasMessageContaining("Permission denied").hasMessageContaining("option.token");

        ConsulRegistry guessing = client("guess");
        assertThatThrownBy(() -> guessing.list(service)).isInstanceOf(RegistryException.class)
                .hasMessageContaining("ACL not found");

        ConsulRegistry allowed = client("s3cret");
        allowed.register(a);
        allowed.heartbeat(service, a.id());
        assertThat(allowed.list(service)).containsExactly(a);
        assertThat(tokenless.list(service)).as("Consul filters what the anonymous token may not read").isEmpty();
    }

    @Test
    void fakeMetadataKeysConsulCannotHoldAreEscapedAndComeBackWhole() {
        ConsulRegistry registry = client();
        String service = Fakes.uniqueService();
        ServiceInstance a = Fakes.instance(service, 9001).toBuilder()
                .metadata("app.kubernetes.io/name", "users")
                .metadata("bulwark-ish", "mine")
                .metadata("consul-owner", "team a")
                .metadata("zoné", "ü")
                .metadata("plain_key-1", "kept as is")
                .build();
        registry.register(a);

        assertThat(registry.get(service, a.id())).contains(a);
        JsonNode meta = Fakes.health(fake, service).at("/0/Service/Meta");
        assertThat(meta.get("plain_key-1").asText()).isEqualTo("kept as is");
        assertThat(meta.get("bulwark-m-app_2ekubernetes_2eio_2fname").asText()).isEqualTo("users");
        assertThat(meta.has("consul-owner")).isFalse();
    }

    @Test
    void fakeMetadataBeyondConsulsLimitsIsRefusedBeforeAnythingIsSent() {
        ConsulRegistry registry = client();
        String service = Fakes.uniqueService();
        ServiceInstance longValue = Fakes.instance(service, 9001).toBuilder().metadata("notes", "x".repeat(513)).build();
        assertThatThrownBy(() -> registry.register(longValue)).isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("metadata[notes]").hasMessageContaining("512 bytes");
        ServiceInstance.Builder many = Fakes.instance(service, 9002).toBuilder();
        for (int i = 0; i < 56; i++) {
            many.metadata("k" + i, "v");
        }
        assertThatThrownBy(() -> registry.register(many.build())).isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("at most 55 entries");
        assertThat(fake.requests("PUT /v1/agent/service/register")).isZero();
    }

    @Test
    void fakeConsulChecksCanLowerAnInstancesHealthButNeverRaiseIt() {
        ConsulRegistry registry = client();
        String service = Fakes.uniqueService();
        ServiceInstance up = Fakes.instance(service, 9001).toBuilder().health(Health.UP).build();
        ServiceInstance unknown = Fakes.instance(service, 9002);
        registry.register(up);
        registry.register(unknown);

        Fakes.send(fake, "PUT", "/v1/agent/check/warn/service:" + up.id(), null, null);
        assertThat(registry.get(service, up.id()).orElseThrow().health()).as("warning still serves").isEqualTo(Health.UP);
        assertThat(registry.get(service, unknown.id()).orElseThrow().health()).as("passing keeps UNKNOWN").isEqualTo(Health.UNKNOWN);

        // An operator's own check on the service, critical: the instance is down whatever it said.
        Fakes.send(fake, "PUT", "/v1/agent/service/register", "{\"ID\":\"" + up.id() + "\",\"Name\":\"" + service + "\","
                + "\"Address\":\"127.0.0.1\",\"Port\":9001,\"Tags\":[\"blue\"],\"Meta\":" + Fakes.health(fake, service)
                .at("/0/Service/Meta") + ",\"Checks\":[{\"TTL\":\"1m\",\"Status\":\"critical\",\"Name\":\"disk\"}]}", null);
        ServiceInstance down = registry.get(service, up.id()).orElseThrow();
        assertThat(down.health()).isEqualTo(Health.DOWN);
        assertThat(down.withHealth(Health.UP)).isEqualTo(up);
    }

    @Test
    void fakeDatacenterOptionGoesWithEveryRead() {
        String service = Fakes.uniqueService();
        client().register(Fakes.instance(service, 9001));
        ConsulRegistry dc1 = ConsulRegistry.connect(Fakes.config(fake).option(ConsulSettings.DATACENTER, "dc1").build(),
                scheduler, Runnable::run);
        ConsulRegistry dc2 = ConsulRegistry.connect(Fakes.config(fake).option(ConsulSettings.DATACENTER, "dc2").build(),
                scheduler, Runnable::run);
        closing.add(dc1);
        closing.add(dc2);
        assertThat(dc1.list(service)).hasSize(1);
        assertThatThrownBy(() -> dc2.list(service)).isInstanceOf(RegistryException.class)
                .hasMessageContaining("datacenter dc2").hasMessageContaining("No path to datacenter");
    }

    @Test
    void fakeRegistriesCreateFindsTheConsulBackend() {
        ServiceRegistry registry = Registries.create(Fakes.config(fake).build());
        closing.add(registry);
        assertThat(registry).isInstanceOf(ConsulRegistry.class);
        assertThat(((ConsulRegistry) registry).agent()).isEqualTo(fake.address());
        assertThat(registry.listAll()).as("the consul service itself, read like any other tool's").containsOnlyKeys("consul");
    }
}
