package dev.bulwark.benchmarks.drill;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class StalledBackendDrillTest {
    @Test
    void rendersEveryScenarioAndTheGoalRepeatably() {
        String small = StalledBackendDrill.render(3_000, 7);

        assertThat(small).startsWith("## Stalled-backend drill")
                .contains("### (a) One backend stalled", "### (b)", "### (c)", "### (c′)")
                .contains("- Goal: PEAK_EWMA at least 99.9 % success");
        assertThat(small.lines().filter(l -> l.startsWith("| oracle |"))).hasSize(4);
        for (String strategy : new String[] {"ROUND_ROBIN", "RANDOM", "LEAST_REQUESTS", "PEAK_EWMA", "WEIGHTED_ROUND_ROBIN", "CONSISTENT_HASH"}) {
            assertThat(small.lines().filter(l -> l.startsWith("| " + strategy + " |"))).as(strategy).hasSize(4);
        }
        assertThat(StalledBackendDrill.render(3_000, 7)).isEqualTo(small);
    }
}
