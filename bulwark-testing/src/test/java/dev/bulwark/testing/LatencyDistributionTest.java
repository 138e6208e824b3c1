package dev.bulwark.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.bulwark.InvalidConfigException;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class LatencyDistributionTest {
    private static final long MS = 1_000_000L;

    private static long[] samples(LatencyDistribution distribution, int count, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        return LongStream.range(0, count).map(i -> distribution.sampleNanos(random)).toArray();
    }

    @Test
    void fixedAlwaysGivesTheSameLatency() {
        LatencyDistribution fixed = LatencyDistribution.fixed(Duration.ofMillis(7));

        assertThat(samples(fixed, 100, 1)).containsOnly(7 * MS);
        assertThat(LatencyDistribution.fixed(Duration.ZERO).sampleNanos(new SplittableRandom())).isZero();
        assertThat(fixed).hasToString("fixed(7ms)");
    }

    @Test
    void uniformCoversItsWholeInclusiveRangeEvenly() {
        LatencyDistribution tiny = LatencyDistribution.uniform(Duration.ofNanos(10), Duration.ofNanos(13));
        Set<Long> seen = new HashSet<>();
        for (long sample : samples(tiny, 1_000, 3)) {
            seen.add(sample);
        }
        assertThat(seen).containsExactlyInAnyOrder(10L, 11L, 12L, 13L);

        LatencyDistribution wide = LatencyDistribution.uniform(Duration.ofMillis(10), Duration.ofMillis(30));
        long[] values = samples(wide, 20_000, 4);
        assertThat(Arrays.stream(values).min().orElseThrow()).isGreaterThanOrEqualTo(10 * MS);
        assertThat(Arrays.stream(values).max().orElseThrow()).isLessThanOrEqualTo(30 * MS);
        assertThat(Arrays.stream(values).average().orElseThrow()).isCloseTo(20.0 * MS, within(0.3 * MS));
        assertThat(wide).hasToString("uniform(10ms..30ms)");
        assertThat(samples(LatencyDistribution.uniform(Duration.ofMillis(2), Duration.ofMillis(2)), 10, 5)).containsOnly(2 * MS);
    }

    @Test
    void logNormalMatchesTheMedianAndP99ItWasFittedTo() {
        LatencyDistribution distribution = LatencyDistribution.logNormal(Duration.ofMillis(20), Duration.ofMillis(200));

        long[] values = samples(distribution, 100_000, 6);
        Arrays.sort(values);

        assertThat(values[0]).isPositive();
        assertThat((double) values[50_000]).isCloseTo(20.0 * MS, within(0.6 * MS));
        assertThat((double) values[99_000]).isCloseTo(200.0 * MS, within(12.0 * MS));
        assertThat(distribution).hasToString("logNormal(median 20ms, p99 200ms)");
        assertThat(samples(LatencyDistribution.logNormal(Duration.ofMillis(3), Duration.ofMillis(3)), 10, 7)).containsOnly(3 * MS);
    }

    @Test
    void sameGeneratorStateGivesTheSameSamples() {
        LatencyDistribution distribution = LatencyDistribution.logNormal(Duration.ofMillis(5), Duration.ofMillis(80));

        assertThat(samples(distribution, 50, 99)).containsExactly(samples(distribution, 50, 99));
        assertThat(samples(distribution, 50, 99)).isNotEqualTo(samples(distribution, 50, 100));
    }

    @Test
    void rejectsImpossibleShapes() {
        assertThatThrownBy(() -> LatencyDistribution.fixed(Duration.ofMillis(-1)))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.field()).isEqualTo("latency"));
        assertThatThrownBy(() -> LatencyDistribution.fixed(null)).isInstanceOf(InvalidConfigException.class);
        assertThatThrownBy(() -> LatencyDistribution.uniform(Duration.ofMillis(5), Duration.ofMillis(4)))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.field()).isEqualTo("max"))
                .hasMessageContaining("min");
        assertThatThrownBy(() -> LatencyDistribution.logNormal(Duration.ZERO, Duration.ofMillis(4)))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.field()).isEqualTo("median"));
        assertThatThrownBy(() -> LatencyDistribution.logNormal(Duration.ofMillis(5), Duration.ofMillis(4)))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.field()).isEqualTo("p99"));
        assertThatThrownBy(() -> LatencyDistribution.fixed(Duration.ofMillis(1)).sampleNanos(null))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.field()).isEqualTo("random"));
    }
}
