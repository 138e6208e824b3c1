package dev.bulwark.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class ServiceInstanceJsonTest {

    @Test
    void anInstanceSurvivesTheRoundTripWhole() {
        ServiceInstance instance = ServiceInstance.builder("users", "10.0.0.7", 8080).id("u1").version("1.4.2")
                .protocol("grpc").health(Health.UP).weight(2).zone("eu").metadata("commit", "9f2c1e").tag("canary")
                .registeredAt(Instant.parse("2025-01-31T12:00:00.123Z")).ttl(Duration.ofSeconds(15)).build();
        assertThat(ServiceInstanceJson.decode("users", "u1", ServiceInstanceJson.encode(instance), null)).isEqualTo(instance);
    }

    @Test
    void aMissingRegistrationTimeTakesTheGivenDefaultOrIsRefused() {
        byte[] foreign = "{\"service\":\"users\",\"id\":\"u1\",\"host\":\"h\",\"port\":1}".getBytes(StandardCharsets.UTF_8);
        assertThat(ServiceInstanceJson.decode("users", "u1", foreign, Instant.EPOCH).registeredAt()).isEqualTo(Instant.EPOCH);
        assertThatThrownBy(() -> ServiceInstanceJson.decode("users", "u1", foreign, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("registeredAt is missing");
        assertThatThrownBy(() -> ServiceInstanceJson.decode("users", "u2", foreign, Instant.EPOCH))
                .hasMessageContaining("not the instance at its path");
    }
}
