package dev.bulwark.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.breaker.BreakerOpenException;
import dev.bulwark.breaker.CircuitBreaker;
import dev.bulwark.testing.FakeTicker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** A breaker's state, transitions, rejections and rates, as it trips and recovers. */
class CircuitBreakerMetersTest {
    private final FakeTicker ticker = new FakeTicker();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final CircuitBreaker breaker = CircuitBreaker.builder("payments")
            .consecutiveFailures(2)
            .failureRate(90).countWindow(10).minimumCalls(10)
            .openFor(Duration.ofSeconds(10))
            .ticker(ticker)
            .build();

    private void fail() {
        assertThatThrownBy(() -> breaker.call(() -> {
            throw new IllegalStateException("down");
        })).isInstanceOf(IllegalStateException.class);
    }

    private void succeed() {
        assertThat(breaker.call(() -> "ok")).isEqualTo("ok");
    }

    /** The state gauges as state → value. */
    private Map<String, Double> states() {
        Map<String, Double> states = new TreeMap<>();
        registry.find("bulwark.breaker.state").tag("name", "payments").gauges()
                .forEach(g -> states.put(g.getId().getTag("state"), g.value()));
        return states;
    }

    /** The transition counters as "from->to" → count. */
    private Map<String, Double> transitions() {
        Map<String, Double> transitions = new TreeMap<>();
        for (Counter c : registry.find("bulwark.breaker.transitions").tag("name", "payments").counters()) {
            transitions.put(c.getId().getTag("from") + "->" + c.getId().getTag("to"), c.count());
        }
        return transitions;
    }

    @Test
    void followsTheBreakerThroughATripAndARecovery() {
        CircuitBreakerMeters meters = CircuitBreakerMeters.of(breaker);
        meters.bindTo(registry);
        assertThat(states()).containsExactlyEntriesOf(new TreeMap<>(Map.of(
                "closed", 1.0, "disabled", 0.0, "forced_open", 0.0, "half_open", 0.0, "open", 0.0)));
        assertThat(transitions()).isEmpty();

        succeed();
        fail();
        assertThat(registry.get("bulwark.breaker.failure.rate").tag("name", "payments").gauge().value()).isEqualTo(0.5);
        assertThat(registry.get("bulwark.breaker.slow.call.rate").tag("name", "payments").gauge().value()).isZero();

        fail(); // two in a row: trips
        assertThat(states()).containsEntry("open", 1.0).containsEntry("closed", 0.0);
        assertThat(transitions()).containsExactlyEntriesOf(Map.of("closed->open", 1.0));
        assertThat(registry.get("bulwark.breaker.failure.rate").tag("name", "payments").gauge().value())
                .as("an open breaker starts a fresh window").isZero();

        assertThatThrownBy(this::succeed).isInstanceOf(BreakerOpenException.class);
        assertThatThrownBy(this::succeed).isInstanceOf(BreakerOpenException.class);
        assertThat(registry.get("bulwark.breaker.rejected.calls").tag("name", "payments").functionCounter().count())
                .isEqualTo(2);

        ticker.advance(Duration.ofSeconds(10));
        assertThat(states()).as("open time is up: half-open at once").containsEntry("half_open", 1.0).containsEntry("open", 0.0);
        succeed(); // the probe: enters half-open, then closes
        assertThat(states()).containsEntry("closed", 1.0).containsEntry("half_open", 0.0);
        assertThat(transitions()).containsExactlyEntriesOf(new TreeMap<>(Map.of(
                "closed->open", 1.0, "open->half_open", 1.0, "half_open->closed", 1.0)));

        breaker.forceOpen();
        assertThat(states()).containsEntry("forced_open", 1.0).containsEntry("closed", 0.0);
        assertThat(transitions()).containsEntry("closed->forced_open", 1.0);
    }

    @Test
    void closeRemovesTheMetersAndStopsCounting() {
        CircuitBreakerMeters meters = CircuitBreakerMeters.of(breaker);
        meters.bindTo(registry);
        fail();
        fail();
        assertThat(transitions()).containsEntry("closed->open", 1.0);
        assertThat(breaker.measuresDuration()).as("a transitions listener does not make calls timed").isFalse();

        meters.close();
        assertThat(registry.getMeters()).isEmpty();
        breaker.reset();
        assertThat(registry.getMeters()).as("no listener left to register counters").isEmpty();
    }
}
