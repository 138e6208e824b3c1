package dev.bulwark.discovery.consul;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Durations written for Consul (and read back by the fake's Go parser), and the escaping of meta keys. */
class TextFormsTest {

    @Test
    void durationsAreWrittenInGoSyntaxThatGoReadsBackWithoutLoss() {
        assertThat(DurationText.go(Duration.ofSeconds(15))).isEqualTo("15s");
        assertThat(DurationText.go(Duration.ofMinutes(1))).isEqualTo("60s");
        assertThat(DurationText.go(Duration.ofMillis(1500))).isEqualTo("1500ms");
        assertThat(DurationText.go(Duration.ofNanos(1))).as("rounded up, never 0").isEqualTo("1ms");
        for (Duration d : List.of(Duration.ofSeconds(15), Duration.ofMillis(1500), Duration.ofMinutes(90))) {
            assertThat(GoDuration.parse(DurationText.go(d))).isEqualTo(d);
        }
        assertThat(GoDuration.parse("1m30s")).isEqualTo(Duration.ofSeconds(90));
        assertThat(GoDuration.parse("1.5h")).isEqualTo(Duration.ofMinutes(90));
        assertThatThrownBy(() -> GoDuration.parse("15")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void optionDurationsAcceptTheUsualForms() {
        assertThat(DurationText.parse("f", "500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(DurationText.parse("f", "2.5s")).isEqualTo(Duration.ofMillis(2500));
        assertThat(DurationText.parse("f", "1m")).isEqualTo(Duration.ofMinutes(1));
        assertThat(DurationText.parse("f", "2h")).isEqualTo(Duration.ofHours(2));
        assertThat(DurationText.parse("f", "PT30S")).isEqualTo(Duration.ofSeconds(30));
        assertThatThrownBy(() -> DurationText.parse("option.x", "1 minute")).hasMessageContaining("option.x");
    }

    @Test
    void metadataKeysConsulAllowsKeepTheirNameAndOthersEscapeReversibly() {
        assertThat(MetaKeys.forMetadata("commit")).isEqualTo("commit");
        assertThat(MetaKeys.forMetadata("build_id-2")).isEqualTo("build_id-2");
        for (String key : List.of("app.kubernetes.io/name", "consul-owner", "Bulwark-x", "bulwark", "zoné", "a b", "x:y", "日本")) {
            String escaped = MetaKeys.forMetadata(key);
            assertThat(escaped).startsWith(MetaKeys.ESCAPED).matches("[A-Za-z0-9_-]+");
            assertThat(MetaKeys.unescape(escaped)).contains(key);
        }
        assertThat(MetaKeys.unescape(MetaKeys.ESCAPED + "a_2")).as("a cut escape").isEmpty();
        assertThat(MetaKeys.unescape(MetaKeys.ESCAPED + "_ff")).as("not UTF-8").isEmpty();
    }
}
