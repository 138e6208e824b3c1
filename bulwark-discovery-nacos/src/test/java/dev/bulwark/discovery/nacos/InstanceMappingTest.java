package dev.bulwark.discovery.nacos;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.alibaba.nacos.api.naming.pojo.Instance;
import dev.bulwark.discovery.Health;
import dev.bulwark.discovery.ServiceInstance;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.Test;

class InstanceMappingTest {
    private static final Instant REGISTERED = Instant.parse("2026-01-02T03:04:05.678Z");

    private static ServiceInstance full(Health health) {
        return ServiceInstance.builder("users", "10.0.0.7", 8080).id("users-1")
                .version("1.4.2").protocol("grpc").zone("eu-west-1a").weight(3).health(health)
                .metadata("commit", "9f2c1e").metadata("bulwark.owner", "team-a")   // a user key in Bulwark's prefix
                .tag("canary").tag("with, comma \"and quotes\"")
                .registeredAt(REGISTERED).updatedAt(REGISTERED.plusSeconds(5)).ttl(Duration.ofSeconds(15))
                .build();
    }

    /** What the server hands back: a copy, as after the trip through gRPC. */
    private static ServiceInstance throughNacos(ServiceInstance instance) {
        return InstanceMapping.fromNacos(instance.service(), FakeNacos.copy(InstanceMapping.toNacos(instance, "DEFAULT", true)));
    }

    @ParameterizedTest
    @EnumSource(Health.class)
    void everyFieldSurvivesTheRoundTrip(Health health) {
        ServiceInstance instance = full(health);
        assertThat(throughNacos(instance)).isEqualTo(instance);
    }

    @Test
    void nacosFieldsCarryWhatNacosUnderstands() {
        Instance nacos = InstanceMapping.toNacos(full(Health.DOWN), "blue", false);
        assertThat(nacos.getIp()).isEqualTo("10.0.0.7");
        assertThat(nacos.getPort()).isEqualTo(8080);
        assertThat(nacos.getInstanceId()).isEqualTo("users-1");
        assertThat(nacos.getWeight()).isEqualTo(3.0);
        assertThat(nacos.isHealthy()).as("DOWN is unhealthy to Nacos").isFalse();
        assertThat(nacos.isEnabled()).isTrue();
        assertThat(nacos.isEphemeral()).isFalse();
        assertThat(nacos.getClusterName()).isEqualTo("blue");
        assertThat(nacos.getMetadata())
                .as("the user's metadata is visible to other Nacos clients under its own keys")
                .containsEntry("commit", "9f2c1e")
                .containsEntry("bulwark.meta.bulwark.owner", "team-a")
                .containsEntry("bulwark.version", "1.4.2")
                .containsEntry("bulwark.zone", "eu-west-1a")
                .containsEntry("bulwark.ttl", "PT15S");
    }

    @Test
    void aWeightAboveNacosCapIsKeptExactly() {
        ServiceInstance heavy = full(Health.UP).toBuilder().weight(250_000).build();
        assertThat(InstanceMapping.toNacos(heavy, "DEFAULT", true).getWeight()).isEqualTo(InstanceMapping.MAX_NACOS_WEIGHT);
        assertThat(throughNacos(heavy).weight()).isEqualTo(250_000);
    }

    @Test
    void whatAnOperatorChangesInNacosWins() {
        ServiceInstance instance = full(Health.UP);
        Instance reweighted = InstanceMapping.toNacos(instance, "DEFAULT", true);
        reweighted.setWeight(7);
        assertThat(InstanceMapping.fromNacos("users", reweighted).weight()).isEqualTo(7);

        Instance disabled = InstanceMapping.toNacos(instance, "DEFAULT", true);
        disabled.setEnabled(false);
        assertThat(InstanceMapping.fromNacos("users", disabled).health()).isEqualTo(Health.DOWN);

        Instance drained = InstanceMapping.toNacos(instance, "DEFAULT", true);
        drained.setWeight(0);
        assertThat(InstanceMapping.fromNacos("users", drained).health()).isEqualTo(Health.DOWN);

        Instance checkedHealthy = InstanceMapping.toNacos(full(Health.DOWN), "DEFAULT", false);
        checkedHealthy.setHealthy(true); // Nacos's own health check passed a persistent instance
        assertThat(InstanceMapping.fromNacos("users", checkedHealthy).health()).isEqualTo(Health.UP);
    }

    @Test
    void anInstanceAnotherNacosClientRegisteredIsReadWithDefaultsAndTheSameEveryTime() {
        Instance foreign = new Instance();
        foreign.setInstanceId("10.0.0.9#9000#DEFAULT#DEFAULT_GROUP@@users"); // Nacos's generated id: not a Bulwark id
        foreign.setIp("10.0.0.9");
        foreign.setPort(9000);
        foreign.setWeight(2.4);
        foreign.setClusterName("DEFAULT");
        foreign.setMetadata(new HashMap<>(Map.of("preserved.register.source", "SPRING_CLOUD")));

        ServiceInstance read = InstanceMapping.fromNacos("users", foreign);
        assertThat(read.id()).isEqualTo("users-10.0.0.9:9000");
        assertThat(read.weight()).isEqualTo(2);
        assertThat(read.health()).isEqualTo(Health.UP);
        assertThat(read.protocol()).isEqualTo("http");
        assertThat(read.registeredAt()).isEqualTo(Instant.EPOCH);
        assertThat(read.metadata()).containsExactly(Map.entry("preserved.register.source", "SPRING_CLOUD"));
        assertThat(InstanceMapping.fromNacos("users", FakeNacos.copy(foreign))).as("no spurious UPDATED on every push").isEqualTo(read);

        foreign.setClusterName("blue");
        assertThat(InstanceMapping.fromNacos("users", foreign).id()).isEqualTo("users-blue-10.0.0.9:9000");
        foreign.setInstanceId("users-9");
        assertThat(InstanceMapping.fromNacos("users", foreign).id()).as("a Nacos id Bulwark can hold is kept").isEqualTo("users-9");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "bulwark.health       | SICK            | bulwark.health",
        "bulwark.ttl          | soon            | bulwark.ttl",
        "bulwark.ttl          | -PT1S           | ttl",
        "bulwark.registeredAt | yesterday       | bulwark.registeredAt",
        "bulwark.updatedAt    | 2020-01-01T00:00:00Z | updatedAt",
        "bulwark.tags         | not json        | bulwark.tags",
        "bulwark.tags         | [1]             | bulwark.tags",
        "bulwark.tags         | {\"a\":1}       | bulwark.tags",
        "bulwark.weight       | heavy           | bulwark.weight",
        "bulwark.id           | two words       | id",
        "bulwark.protocol     | ' '             | protocol",
    })
    void corruptMetadataIsRefusedNamingTheField(String key, String value, String named) {
        Instance nacos = InstanceMapping.toNacos(full(Health.UP), "DEFAULT", true);
        nacos.getMetadata().put(key, value);
        assertThatThrownBy(() -> InstanceMapping.fromNacos("users", nacos))
                .isInstanceOf(CorruptInstanceException.class)
                .hasMessageContaining(named);
    }
}
