package dev.bulwark.breaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.InvalidConfigException;
import dev.bulwark.testing.VirtualScheduler;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Operators' transitions, and that every announced transition is a real change of state. */
class CircuitBreakerOperatorTest {
    private final VirtualScheduler scheduler = new VirtualScheduler();
    private final List<String> transitions = new ArrayList<>();
    private final CircuitBreakerListener recorder = new CircuitBreakerListener() {
        @Override
        public void onStateTransition(CircuitBreaker breaker, State from, State to, String reason) {
            transitions.add(from + "->" + to);
        }
    };

    private CircuitBreaker breaker() {
        return CircuitBreaker.builder("b").consecutiveFailures(2).openFor(Duration.ofSeconds(10))
                .scheduler(scheduler).listener(recorder).build();
    }

    @Test
    void repeatedOperatorRequestsAnnounceOneTransitionEach() {
        CircuitBreaker breaker = breaker();

        breaker.forceOpen();
        breaker.forceOpen();
        breaker.disable();
        breaker.disable();
        breaker.reset();
        breaker.reset();
        breaker.halfOpen();
        breaker.halfOpen();

        assertThat(transitions).containsExactly("CLOSED->FORCED_OPEN", "FORCED_OPEN->DISABLED", "DISABLED->CLOSED",
                "CLOSED->HALF_OPEN");
    }

    @Test
    void resetOfAClosedBreakerForgetsItsCountsSilently() {
        CircuitBreaker breaker = breaker();
        breaker.onFailure(breaker.tryAcquirePermission(), 0, new IOException());
        long stale = breaker.tryAcquirePermission();
        assertThat(breaker.metrics().consecutiveFailures()).isEqualTo(1);

        breaker.reset();
        breaker.onFailure(stale, 0, new IOException()); // granted before the reset: not counted after it

        assertThat(breaker.metrics().consecutiveFailures()).isZero();
        assertThat(breaker.state()).isEqualTo(State.CLOSED);
        assertThat(transitions).isEmpty();
    }

    @Test
    void openForRejectsForThatLongThenHalfOpensOnItsOwn() {
        CircuitBreaker breaker = breaker();

        breaker.openFor(Duration.ofMinutes(5));

        assertThat(breaker.tryAcquirePermission()).isEqualTo(CircuitBreaker.NO_PERMIT);
        assertThat(breaker.rejection().getMessage()).contains("opened by operator for PT5M");
        assertThat(breaker.metrics().nanosUntilProbe()).isEqualTo(Duration.ofMinutes(5).toNanos());
        scheduler.advance(Duration.ofMinutes(5));
        assertThat(transitions).containsExactly("CLOSED->OPEN", "OPEN->HALF_OPEN");
        long probe = breaker.tryAcquirePermission();
        breaker.onSuccess(probe, 0);
        assertThat(breaker.state()).isEqualTo(State.CLOSED);
    }

    @Test
    void openForWhileOpenTakesTheNewTimeWithoutAnnouncingATransition() {
        CircuitBreaker breaker = breaker();
        breaker.openFor(Duration.ofSeconds(10));
        scheduler.advance(Duration.ofSeconds(5));

        breaker.openFor(Duration.ofSeconds(30));
        scheduler.advance(Duration.ofSeconds(10)); // the first open time is up, the second is not

        assertThat(breaker.state()).isEqualTo(State.OPEN);
        assertThat(transitions).containsExactly("CLOSED->OPEN");
        scheduler.advance(Duration.ofSeconds(20));
        assertThat(transitions).containsExactly("CLOSED->OPEN", "OPEN->HALF_OPEN");
    }

    @Test
    void openUntilReadsTheWallClock() {
        Instant now = Instant.parse("2026-11-30T10:00:00Z");
        CircuitBreaker breaker = CircuitBreaker.builder("b").consecutiveFailures(2).scheduler(scheduler)
                .clock(Clock.fixed(now, ZoneOffset.UTC)).build();

        breaker.openUntil(now.plus(Duration.ofMinutes(2)));

        assertThat(breaker.metrics().nanosUntilProbe()).isEqualTo(Duration.ofMinutes(2).toNanos());
        assertThatThrownBy(() -> breaker.openUntil(now.minusSeconds(1)))
                .isInstanceOf(InvalidConfigException.class).hasMessageStartingWith("until = 2026-11-30T09:59:59Z: allowed is an instant after now");
        assertThatThrownBy(() -> breaker.openFor(Duration.ZERO)).isInstanceOf(InvalidConfigException.class);
    }

    @Test
    void halfOpenAdmitsProbesAndAFailedProbeReopens() {
        CircuitBreaker breaker = breaker();

        breaker.halfOpen();
        long probe = breaker.tryAcquirePermission();
        assertThat(breaker.tryAcquirePermission()).as("one probe at a time").isEqualTo(CircuitBreaker.NO_PERMIT);
        breaker.onFailure(probe, 0, new IOException());

        assertThat(breaker.state()).isEqualTo(State.OPEN);
        assertThat(transitions).containsExactly("CLOSED->HALF_OPEN", "HALF_OPEN->OPEN");
    }

    @Test
    void theEndOfAnOpenPeriodIsAnnouncedWithoutACall() {
        CircuitBreaker breaker = breaker();
        breaker.onFailure(breaker.tryAcquirePermission(), 0, new IOException());
        breaker.onFailure(breaker.tryAcquirePermission(), 0, new IOException());
        assertThat(transitions).containsExactly("CLOSED->OPEN");

        scheduler.advance(Duration.ofSeconds(10));

        assertThat(transitions).as("told when the time is up, no call needed").containsExactly("CLOSED->OPEN", "OPEN->HALF_OPEN");
        assertThat(breaker.state()).isEqualTo(State.HALF_OPEN);
    }

    @Test
    void withoutASchedulerAStateReadAnnouncesWhatItReports() {
        dev.bulwark.testing.FakeTicker ticker = new dev.bulwark.testing.FakeTicker();
        CircuitBreaker breaker = CircuitBreaker.builder("b").consecutiveFailures(1).openFor(Duration.ofSeconds(10))
                .ticker(ticker).listener(recorder).build();
        breaker.onFailure(breaker.tryAcquirePermission(), 0, new IOException());
        ticker.advance(Duration.ofSeconds(10));

        assertThat(breaker.state()).isEqualTo(State.HALF_OPEN);
        assertThat(transitions).containsExactly("CLOSED->OPEN", "OPEN->HALF_OPEN");
    }

    @Test
    void aTimerOfAnEarlierOpenPeriodDoesNothing() {
        CircuitBreaker breaker = breaker();
        breaker.openFor(Duration.ofSeconds(10));
        breaker.reset();

        scheduler.advance(Duration.ofSeconds(10));

        assertThat(breaker.state()).isEqualTo(State.CLOSED);
        assertThat(transitions).containsExactly("CLOSED->OPEN", "OPEN->CLOSED");
    }
}
