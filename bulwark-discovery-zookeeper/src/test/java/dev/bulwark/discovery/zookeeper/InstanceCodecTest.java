package dev.bulwark.discovery.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.discovery.Health;
import dev.bulwark.discovery.ServiceInstance;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** The stored JSON: every field survives the trip, unknown fields are tolerated, bad values are not. */
class InstanceCodecTest {

    private static byte[] json(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void everyFieldSurvivesTheRoundTrip() {
        ServiceInstance full = ServiceInstance.builder("users", "::1", 8443).id("users-a").version("1.4.2").protocol("https")
                .health(Health.DOWN).metadata("commit", "9f2c1e").metadata("owner", "team \"blue\"").tag("canary").tag("eu")
                .weight(7).zone("eu-west-1a").registeredAt(Instant.parse("2025-01-02T03:04:05.678901Z"))
                .updatedAt(Instant.parse("2025-01-02T03:05:00Z")).ttl(Duration.ofMillis(1500)).build();
        ServiceInstance minimal = ServiceInstance.builder("users", "10.0.0.1", 80).build();

        assertThat(InstanceCodec.decode("users", "users-a", InstanceCodec.encode(full))).isEqualTo(full);
        assertThat(InstanceCodec.decode("users", minimal.id(), InstanceCodec.encode(minimal))).isEqualTo(minimal);
    }

    @Test
    void unknownFieldsAreIgnoredAndMissingOptionalOnesTakeTheirDefaults() {
        ServiceInstance decoded = InstanceCodec.decode("users", "u1", json(
                "{\"service\":\"users\",\"id\":\"u1\",\"host\":\"h\",\"port\":1,\"registeredAt\":\"2025-01-02T03:04:05Z\","
                        + "\"addedLater\":{\"x\":1}}"));
        assertThat(decoded.health()).isEqualTo(Health.UNKNOWN);
        assertThat(decoded.weight()).isEqualTo(1);
        assertThat(decoded.protocol()).isEqualTo("http");
        assertThat(decoded.ttl()).isEqualTo(Duration.ZERO);
        assertThat(decoded.updatedAt()).isEqualTo(decoded.registeredAt());
    }

    @Test
    void badValuesAreRefusedSayingWhat() {
        String head = "{\"service\":\"users\",\"id\":\"u1\",\"host\":\"h\",\"port\":1,";
        assertThatThrownBy(() -> InstanceCodec.decode("users", "u1", json(head + "\"zone\":\"z\"}")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("registeredAt is missing");
        assertThatThrownBy(() -> InstanceCodec.decode("users", "u1", json(head + "\"registeredAt\":\"2025-01-02T03:04:05Z\",\"health\":\"SICK\"}")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("health \"SICK\"");
        assertThatThrownBy(() -> InstanceCodec.decode("users", "u1", json(head + "\"registeredAt\":\"yesterday\"}")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bad time");
        assertThatThrownBy(() -> InstanceCodec.decode("users", "u1", json(head + "\"registeredAt\":\"2025-01-02T03:04:05Z\",\"tags\":\"blue\"}")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("tags is not an array");
        assertThatThrownBy(() -> InstanceCodec.decode("users", "u1", json("[1,2]")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a JSON object");
        assertThatThrownBy(() -> InstanceCodec.decode("users", "u1", new byte[0]))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no data");
    }
}
