package dev.bulwark.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.InvalidConfigException;
import dev.bulwark.testing.SimulatedDependency.Phase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class SimulatedDependencyPhasesTest {

    private final VirtualScheduler scheduler = new VirtualScheduler();

    private SimulatedDependency.Builder builder() {
        return SimulatedDependency.builder("payments").scheduler(scheduler);
    }

    /** One call: when it started on the dependency's timeline, "ok" or the failure reason, and the time it took. */
    private record Outcome(Duration startedAt, String result, Duration took) {
    }

    /** Moves virtual time to {@code at} on the dependency's timeline (not earlier than now) and calls. */
    private Outcome callAt(SimulatedDependency dependency, Duration at) {
        scheduler.advance(at.minus(dependency.elapsed()));
        long before = scheduler.ticker().read();
        String result;
        try {
            result = dependency.call();
        } catch (SimulatedFailureException e) {
            assertThat(e.dependency()).isEqualTo(dependency.name());
            result = e.reason();
        }
        return new Outcome(at, result, Duration.ofNanos(scheduler.ticker().read() - before));
    }

    private static Duration ms(long millis) {
        return Duration.ofMillis(millis);
    }

    @Test
    void anOutageFailsEveryCallStartedInsideItAndNoneOutside() {
        SimulatedDependency dependency = builder()
                .phase(Duration.ofSeconds(2), Duration.ofSeconds(5), Phase.outage(ms(50)))
                .build();

        List<Outcome> outcomes = new ArrayList<>();
        for (int i = 0; i < 70; i++) {
            outcomes.add(callAt(dependency, ms(100L * i)));
        }

        for (Outcome o : outcomes) {
            boolean inOutage = o.startedAt.compareTo(Duration.ofSeconds(2)) >= 0 && o.startedAt.compareTo(Duration.ofSeconds(5)) < 0;
            assertThat(o).as("call at %s", o.startedAt)
                    .isEqualTo(inOutage ? new Outcome(o.startedAt, "outage", ms(50)) : new Outcome(o.startedAt, "ok", ms(1)));
        }
        assertThat(outcomes.get(20).result()).as("from is inclusive").isEqualTo("outage");
        assertThat(outcomes.get(50).result()).as("to is exclusive").isEqualTo("ok");
        assertThat(dependency.failures()).isEqualTo(30);
        assertThat(dependency.callsDuring(Duration.ofSeconds(2), Duration.ofSeconds(5))).isEqualTo(30);
        assertThat(dependency.callsDuring(Duration.ZERO, Duration.ofSeconds(2))).isEqualTo(20);
        assertThat(dependency.callsDuring(Duration.ofSeconds(5), Duration.ofSeconds(7))).isEqualTo(20);
    }

    @Test
    void anAsyncCallInAnOutageFailsOnlyAfterFailAfter() {
        SimulatedDependency dependency = builder().phase(Duration.ZERO, Duration.ofSeconds(1), Phase.outage(ms(30))).build();

        CompletableFuture<String> reply = dependency.callAsync();
        scheduler.advance(ms(29));
        assertThat(reply).isNotDone();
        scheduler.advance(ms(1));

        assertThat(reply).isCompletedExceptionally();
        assertThat(reply.handle((ok, error) -> error)).isCompletedWithValueMatching(
                e -> e instanceof SimulatedFailureException f && f.reason().equals(SimulatedFailureException.OUTAGE)
                        && f.getMessage().equals("simulated failure of 'payments': outage"));
    }

    @Test
    void aLatencyPhaseChangesTheTimeSpentButNotTheErrorRate() {
        SimulatedDependency dependency = builder()
                .latency(LatencyDistribution.fixed(ms(10)))
                .phase(Duration.ofSeconds(1), Duration.ofSeconds(2), Phase.latency(LatencyDistribution.fixed(ms(300))))
                .build();

        assertThat(callAt(dependency, ms(0)).took()).isEqualTo(ms(10));
        assertThat(callAt(dependency, ms(1_000)).took()).isEqualTo(ms(300));
        assertThat(callAt(dependency, ms(1_999)).took()).isEqualTo(ms(300));
        assertThat(callAt(dependency, ms(2_300)).took()).isEqualTo(ms(10));
        assertThat(dependency.successes()).isEqualTo(4);

        VirtualScheduler other = new VirtualScheduler();
        SimulatedDependency failing = SimulatedDependency.builder("failing").scheduler(other).errorRate(1)
                .phase(Duration.ZERO, Duration.ofSeconds(1), Phase.latency(LatencyDistribution.fixed(ms(300))))
                .build();
        assertThatThrownBy(failing::call).isInstanceOf(SimulatedFailureException.class);
        assertThat(failing.elapsed()).isEqualTo(ms(300));
    }

    @Test
    void anErrorRatePhaseFailsCallsOnlyInsideIt() {
        SimulatedDependency dependency = builder()
                .phase(Duration.ofSeconds(1), Duration.ofSeconds(2), Phase.errorRate(1.0))
                .build();

        List<Outcome> outcomes = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            outcomes.add(callAt(dependency, ms(100L * i)));
        }

        assertThat(outcomes.subList(0, 10)).extracting(Outcome::result).containsOnly("ok");
        assertThat(outcomes.subList(10, 20)).extracting(Outcome::result).containsOnly(SimulatedFailureException.ERROR_RATE);
        assertThat(outcomes.subList(20, 30)).extracting(Outcome::result).containsOnly("ok");
        assertThat(outcomes).extracting(Outcome::took).containsOnly(ms(1));
    }

    @Test
    void wherePhasesOverlapTheLastAddedWins() {
        SimulatedDependency dependency = builder()
                .phase(Duration.ZERO, Duration.ofSeconds(10), Phase.outage(Duration.ZERO))
                .phase(Duration.ofSeconds(2), Duration.ofSeconds(3), Phase.latency(LatencyDistribution.fixed(ms(7))))
                .build();

        assertThat(callAt(dependency, ms(1_000))).isEqualTo(new Outcome(ms(1_000), "outage", Duration.ZERO));
        assertThat(callAt(dependency, ms(2_500))).isEqualTo(new Outcome(ms(2_500), "ok", ms(7)));
        assertThat(callAt(dependency, ms(3_000))).isEqualTo(new Outcome(ms(3_000), "outage", Duration.ZERO));
        assertThat(callAt(dependency, ms(10_000))).isEqualTo(new Outcome(ms(10_000), "ok", ms(1)));
    }

    @Test
    void callsDuringCountsCallsByTheirStartOnTheTimeline() {
        SimulatedDependency dependency = builder().latency(LatencyDistribution.fixed(Duration.ZERO)).build();
        for (long at : new long[] {10, 10, 999, 1_000, 1_500, 2_999}) {
            callAt(dependency, ms(at));
        }

        assertThat(dependency.callsDuring(Duration.ZERO, Duration.ofSeconds(1))).isEqualTo(3);
        assertThat(dependency.callsDuring(Duration.ofSeconds(1), Duration.ofSeconds(2))).isEqualTo(2);
        assertThat(dependency.callsDuring(Duration.ZERO, Duration.ofSeconds(3))).isEqualTo(6);
        assertThat(dependency.callsDuring(ms(10), ms(11))).isEqualTo(2);
        assertThat(dependency.callsDuring(ms(999), ms(1_001))).isEqualTo(2);
        assertThat(dependency.callsDuring(Duration.ofSeconds(1), Duration.ofSeconds(1))).isZero();
        assertThat(dependency.callsDuring(Duration.ofSeconds(3), Duration.ofMinutes(10))).isZero();
        assertThat(dependency.callsDuring(Duration.ofNanos(999_999_999), Duration.ofSeconds(1)))
                .as("rounded down to [999ms, 1000ms)").isEqualTo(1);
    }

    @Test
    void callsAfterTenMinutesAreCountedInTotalsButNotInWindows() {
        SimulatedDependency dependency = builder().build();
        callAt(dependency, Duration.ofSeconds(599));
        callAt(dependency, Duration.ofMinutes(11));

        assertThat(dependency.calls()).isEqualTo(2);
        assertThat(dependency.callsDuring(Duration.ZERO, Duration.ofMinutes(10))).isEqualTo(1);
        assertThatThrownBy(() -> dependency.callsDuring(Duration.ZERO, Duration.ofMinutes(11)))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.field()).isEqualTo("to"))
                .hasMessageContaining("10 minutes");
    }

    @Test
    void callsDuringRejectsWindowsItCannotAnswer() {
        SimulatedDependency dependency = builder().build();

        assertThatThrownBy(() -> dependency.callsDuring(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.field()).isEqualTo("to"));
        assertThatThrownBy(() -> dependency.callsDuring(ms(-1), Duration.ofSeconds(1)))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.field()).isEqualTo("from"));
    }

    @Test
    void startRestartsTheTimelineForPhasesAndWindowsButKeepsTotals() {
        SimulatedDependency dependency = builder().phase(Duration.ZERO, Duration.ofSeconds(1), Phase.outage(Duration.ZERO)).build();
        assertThat(callAt(dependency, Duration.ZERO).result()).isEqualTo("outage");
        assertThat(callAt(dependency, Duration.ofSeconds(5)).result()).isEqualTo("ok");

        dependency.start();

        assertThat(dependency.elapsed()).isZero();
        assertThat(dependency.callsDuring(Duration.ZERO, Duration.ofMinutes(10))).isZero();
        assertThat(callAt(dependency, Duration.ZERO).result()).as("in the outage again").isEqualTo("outage");
        assertThat(dependency.callsDuring(Duration.ZERO, Duration.ofSeconds(1))).isEqualTo(1);
        assertThat(dependency.calls()).isEqualTo(3);
        assertThat(dependency.failures()).isEqualTo(2);
    }

    @Test
    void phasesAreValidatedAndDescribeThemselves() {
        assertThatThrownBy(() -> builder().phase(Duration.ofSeconds(2), Duration.ofSeconds(2), Phase.errorRate(0.5)))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.field()).isEqualTo("phase.to"));
        assertThatThrownBy(() -> builder().phase(ms(-1), Duration.ofSeconds(2), Phase.errorRate(0.5)))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.field()).isEqualTo("phase.from"));
        assertThatThrownBy(() -> builder().phase(Duration.ZERO, Duration.ofSeconds(1), null))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.field()).isEqualTo("phase"));
        assertThatThrownBy(() -> Phase.errorRate(-0.1))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.field()).isEqualTo("errorRate"));
        assertThatThrownBy(() -> Phase.outage(ms(-1)))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.field()).isEqualTo("failAfter"));
        assertThatThrownBy(() -> Phase.latency(null))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.field()).isEqualTo("latency"));

        assertThat(Phase.outage(Duration.ofSeconds(2))).hasToString("outage, failing after 2s");
        assertThat(Phase.errorRate(0.25)).hasToString("errorRate 0.25");
        assertThat(Phase.latency(LatencyDistribution.fixed(ms(300)))).hasToString("latency fixed(300ms)");
        assertThat(builder().phase(Duration.ofSeconds(1), ms(1_500), Phase.errorRate(0.25)).build().toString())
                .contains("[1s, 1.5s): errorRate 0.25");
    }
}
