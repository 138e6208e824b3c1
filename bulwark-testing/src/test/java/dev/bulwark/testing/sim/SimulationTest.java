package dev.bulwark.testing.sim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.CallContext;
import dev.bulwark.InvalidConfigException;
import dev.bulwark.balance.Endpoint;
import dev.bulwark.balance.EndpointSet;
import dev.bulwark.balance.LoadBalancer;
import dev.bulwark.balance.LoadBalancers;
import dev.bulwark.balance.Strategy;
import dev.bulwark.breaker.CircuitBreakerConfig;
import dev.bulwark.testing.LatencyDistribution;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SimulationTest {
    private static final long MS = 1_000_000L;
    private static final LatencyDistribution NORMAL = LatencyDistribution.logNormal(Duration.ofMillis(10), Duration.ofMillis(50));

    private static Simulation.Builder fiveBackends() {
        return Simulation.builder()
                .backend(Backend.builder("stuck").stalled(Duration.ofSeconds(2)).build())
                .backends(4, i -> Backend.healthy("b" + i, NORMAL))
                .requests(5_000)
                .timeout(Duration.ofMillis(500));
    }

    @Test
    void theSameSeedGivesTheSameReport() {
        for (Strategy strategy : Strategy.values()) {
            Simulation simulation = fiveBackends().seed(42).hashKeys(100).build();
            SimulationReport first = simulation.run(Balancing.of(strategy));
            SimulationReport again = fiveBackends().seed(42).hashKeys(100).build().run(Balancing.of(strategy));

            assertThat(again).as(strategy.name()).isEqualTo(first);
        }
        SimulationReport one = fiveBackends().seed(1).build().run(Balancing.of(Strategy.RANDOM));
        SimulationReport other = fiveBackends().seed(2).build().run(Balancing.of(Strategy.RANDOM));
        assertThat(other).isNotEqualTo(one);
    }

    @Test
    void theBackendsDoTheSameWhateverTheBalancerDraws() {
        // One backend, so every balancer sends it everything: its latencies come from their own stream.
        Simulation single = Simulation.builder().backend(Backend.healthy("only", NORMAL)).requests(3_000).seed(9).build();

        SimulationReport random = single.run(Balancing.of(Strategy.RANDOM));
        SimulationReport ewma = single.run(Balancing.of(Strategy.PEAK_EWMA));

        assertThat(ewma.p50Nanos()).isEqualTo(random.p50Nanos());
        assertThat(ewma.p999Nanos()).isEqualTo(random.p999Nanos());
        assertThat(ewma.maxNanos()).isEqualTo(random.maxNanos());
    }

    @Test
    void everyRequestToAStalledBackendTimesOutAtTheTimeout() {
        Simulation simulation = Simulation.builder()
                .backend(Backend.builder("stuck").stalled(Duration.ofSeconds(1)).build())
                .backend(Backend.healthy("fine", LatencyDistribution.fixed(Duration.ofMillis(5))))
                .requests(1_000).timeout(Duration.ofMillis(100)).build();

        SimulationReport report = simulation.run(Balancing.of(Strategy.ROUND_ROBIN));

        assertThat(report.requestsTo("stuck")).isEqualTo(500);
        assertThat(report.timedOut()).isEqualTo(500);
        assertThat(report.succeeded()).isEqualTo(500);
        assertThat(report.successRate()).isEqualTo(0.5);
        assertThat(report.p50Nanos()).isEqualTo(5 * MS);
        assertThat(report.p99Nanos()).as("a timed-out request's latency is the timeout").isEqualTo(100 * MS);
        assertThat(report.maxNanos()).isEqualTo(100 * MS);
        // The last request to the stalled backend arrived at 998 ms and is answered a second later.
        assertThat(report.elapsedNanos()).isEqualTo(1_998 * MS);
    }

    @Test
    void aTimedOutRequestStaysInFlightUntilTheBackendAnswersAndTeachesOnlyTheTimeout() {
        AtomicInteger mostInFlight = new AtomicInteger();
        AtomicLong highestEstimate = new AtomicLong();
        Balancing watching = Balancing.of("watching round robin", random -> {
            LoadBalancer roundRobin = LoadBalancers.roundRobin();
            return (endpoints, context, tried) -> {
                Endpoint stuck = endpoints.get(0);
                long now = stuck.stats().ticker().read();
                mostInFlight.accumulateAndGet(stuck.stats().inFlight(), Math::max);
                highestEstimate.accumulateAndGet((long) stuck.stats().latencyNanos(now), Math::max);
                return roundRobin.pick(endpoints, context, tried);
            };
        });
        Simulation simulation = Simulation.builder()
                .backend(Backend.builder("stuck").stalled(Duration.ofSeconds(1)).build())
                .backend(Backend.healthy("fine", LatencyDistribution.fixed(Duration.ofMillis(5))))
                .arrivalEvery(Duration.ofMillis(10)).requests(1_000).timeout(Duration.ofMillis(100)).build();

        SimulationReport report = simulation.run(watching);

        // One request every 20 ms to "stuck", each busy for 1 s: 50 in flight, not the 5 of 100 ms.
        assertThat(mostInFlight.get()).isBetween(49, 50);
        // The estimate learns the timeout (100 ms) when the client gives up, never the 1 s answer.
        assertThat(highestEstimate.get()).isBetween(99 * MS, 100 * MS);
        assertThat(report.inFlightAtEnd()).isZero();
    }

    @Test
    void countsAddUp() {
        Simulation simulation = fiveBackends()
                .backend(Backend.builder("flaky").latency(NORMAL).failureRate(0.4)
                        .failureLatency(LatencyDistribution.fixed(Duration.ofMillis(1))).build())
                .backend(Backend.builder("slow").latency(LatencyDistribution.logNormal(Duration.ofMillis(300), Duration.ofSeconds(2))).build())
                .breaker(CircuitBreakerConfig.builder().consecutiveFailures(3).openFor(Duration.ofMillis(200)).build())
                .requests(20_000).seed(3).hashKeys(50).build();

        for (Strategy strategy : Strategy.values()) {
            SimulationReport r = simulation.run(Balancing.of(strategy));

            assertThat(r.succeeded() + r.failed() + r.timedOut() + r.noEndpoint()).as(strategy.name()).isEqualTo(r.requests());
            assertThat(r.requests()).isEqualTo(20_000);
            assertThat(r.requestsByBackend().values().stream().mapToLong(Long::longValue).sum())
                    .as(strategy.name()).isEqualTo(r.requests() - r.noEndpoint());
            assertThat(r.requestsByBackend().keySet()).containsExactly("stuck", "b0", "b1", "b2", "b3", "flaky", "slow");
            assertThat(r.inFlightAtEnd()).as(strategy.name()).isZero();
            assertThat(r.p50Nanos()).isLessThanOrEqualTo(r.p99Nanos());
            assertThat(r.p99Nanos()).isLessThanOrEqualTo(r.p999Nanos());
            assertThat(r.p999Nanos()).isLessThanOrEqualTo(r.maxNanos());
            assertThat(r.maxNanos()).isLessThanOrEqualTo(500 * MS);
        }
    }

    @Test
    void aBackendFailsAtItsRateWithinStatisticalBounds() {
        Simulation simulation = Simulation.builder()
                .backend(Backend.builder("flaky").failureRate(0.3).build())
                .requests(10_000).seed(5).build();

        SimulationReport report = simulation.run(Balancing.of(Strategy.ROUND_ROBIN));

        // 3 000 ± 4 standard deviations (sqrt(10 000 × 0.3 × 0.7) ≈ 46).
        assertThat(report.failed()).isBetween(2_817L, 3_183L);
        assertThat(report.succeeded()).isEqualTo(10_000 - report.failed());
        assertThat(report.p50Nanos()).isEqualTo(10 * MS);
    }

    @Test
    void aBreakerMakesAFailingBackendUnavailableWhileOpen() {
        Simulation simulation = Simulation.builder()
                .backend(Backend.builder("broken").failureRate(1).failureLatency(LatencyDistribution.fixed(Duration.ofMillis(1))).build())
                .backend(Backend.healthy("fine", LatencyDistribution.fixed(Duration.ofMillis(2))))
                .breaker(CircuitBreakerConfig.builder().consecutiveFailures(3).openFor(Duration.ofSeconds(2)).build())
                .requests(5_000).build();

        SimulationReport report = simulation.run(Balancing.of(Strategy.ROUND_ROBIN));

        // 3 failures trip it; at 2 s and 4 s one probe each fails and reopens it.
        assertThat(report.requestsTo("broken")).isEqualTo(5);
        assertThat(report.failed()).isEqualTo(5);
        assertThat(report.requestsTo("fine")).isEqualTo(4_995);
        assertThat(report.noEndpoint()).isZero();
    }

    @Test
    void withEveryBreakerOpenRequestsFailAtOnceForWantOfAnEndpoint() {
        Simulation simulation = Simulation.builder()
                .backends(2, i -> Backend.builder("broken" + i).failureRate(1).build())
                .breaker(CircuitBreakerConfig.builder().consecutiveFailures(2).openFor(Duration.ofMinutes(1)).build())
                .arrivalEvery(Duration.ofMillis(20)) // each answer (10 ms) is in before the next arrival
                .requests(1_000).build();

        SimulationReport report = simulation.run(Balancing.of(Strategy.PEAK_EWMA));

        assertThat(report.failed()).isEqualTo(4);
        assertThat(report.noEndpoint()).isEqualTo(996);
        assertThat(report.p50Nanos()).isZero();
        assertThat(report.inFlightAtEnd()).isZero();
    }

    @Test
    void theOracleNeverPicksABadBackendWhileAGoodOneIsAvailable() {
        SimulationReport report = fiveBackends().build().run(Balancing.oracle("stuck"));

        assertThat(report.requestsTo("stuck")).isZero();
        assertThat(report.successRate()).isEqualTo(1.0);
        assertThat(report.balancing()).isEqualTo("oracle");
    }

    @Test
    void hashKeysRouteEachKeyToOneBackend() {
        Simulation oneKey = fiveBackends().hashKeys(1).build();
        Simulation noKey = fiveBackends().build();

        SimulationReport keyed = oneKey.run(Balancing.of(Strategy.CONSISTENT_HASH));
        SimulationReport unkeyed = noKey.run(Balancing.of(Strategy.CONSISTENT_HASH));

        assertThat(keyed.requestsByBackend().values()).filteredOn(c -> c > 0).containsExactly(5_000L);
        assertThat(unkeyed.requestsByBackend().values()).allSatisfy(c -> assertThat(c).isBetween(800L, 1_200L));
    }

    @Test
    void percentilesAreNearestRank() {
        long[] values = new long[1_000];
        for (int i = 0; i < values.length; i++) {
            values[i] = i + 1;
        }
        assertThat(Simulation.percentile(values, 0.5)).isEqualTo(500);
        assertThat(Simulation.percentile(values, 0.99)).isEqualTo(990);
        assertThat(Simulation.percentile(values, 0.999)).isEqualTo(999);
        assertThat(Simulation.percentile(new long[] {7}, 0.999)).isEqualTo(7);
        assertThat(Simulation.percentile(new long[0], 0.5)).isZero();
    }

    @Test
    void rendersAMarkdownTable() {
        List<SimulationReport> reports = fiveBackends().build()
                .runAll(List.of(Balancing.of(Strategy.ROUND_ROBIN), Balancing.oracle("stuck")));

        String table = SimulationReport.markdownTable(reports, "stuck");

        assertThat(table.lines()).hasSize(4);
        assertThat(table).startsWith("| balancer | success |").contains("| to stuck |")
                .contains("| ROUND_ROBIN | 80.000 % | 0 | 1000 | 0 |").contains("| oracle | 100.000 % |");
    }

    @Test
    void badSettingsAreRejected() {
        assertThatThrownBy(() -> Simulation.builder().build())
                .isInstanceOf(InvalidConfigException.class).hasMessageContaining("backends");
        assertThatThrownBy(() -> Simulation.builder().backend(Backend.healthy("a", NORMAL)).backend(Backend.healthy("a", NORMAL)))
                .isInstanceOf(InvalidConfigException.class).hasMessageContaining("backend.name");
        assertThatThrownBy(() -> Backend.builder("a").failureRate(1.5))
                .isInstanceOf(InvalidConfigException.class).hasMessageContaining("failureRate");
        assertThatThrownBy(() -> Simulation.builder().timeout(Duration.ZERO))
                .isInstanceOf(InvalidConfigException.class).hasMessageContaining("timeout");
    }
}
