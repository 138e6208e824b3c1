package dev.bulwark.breaker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.Verdict;
import dev.bulwark.testing.FakeTicker;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CircuitBreakerListenerTest {

    @Test
    void aThrowingListenerNeitherBreaksTheCallNorSilencesOtherListeners() {
        List<String> seen = new ArrayList<>();
        CircuitBreakerListener throwing = new CircuitBreakerListener() {
            @Override
            public void onOutcome(CircuitBreaker b, Verdict verdict, long nanos) {
                throw new IllegalStateException("listener bug");
            }

            @Override
            public void onStateTransition(CircuitBreaker b, State from, State to, String reason) {
                throw new IllegalStateException("listener bug");
            }
        };
        CircuitBreakerListener recording = new CircuitBreakerListener() {
            @Override
            public void onOutcome(CircuitBreaker b, Verdict verdict, long nanos) {
                seen.add(verdict + " " + nanos);
            }

            @Override
            public void onStateTransition(CircuitBreaker b, State from, State to, String reason) {
                seen.add(from + "->" + to);
            }

            @Override
            public void onRejected(CircuitBreaker b, State state) {
                seen.add("rejected " + state);
            }
        };
        FakeTicker ticker = new FakeTicker();
        CircuitBreaker breaker = CircuitBreaker.builder("b").consecutiveFailures(1).ticker(ticker)
                .listener(throwing).listener(recording).build();

        assertThat(breaker.call(() -> {
            ticker.advance(7);
            return "ok";
        })).isEqualTo("ok");
        breaker.onFailure(breaker.tryAcquirePermission(), 3, new IOException());
        assertThat(breaker.tryAcquirePermission()).isEqualTo(CircuitBreaker.NO_PERMIT);
        breaker.removeListener(recording);
        breaker.tryAcquirePermission();

        assertThat(seen).containsExactly("SUCCESS 7", "FAILURE 3", "CLOSED->OPEN", "rejected OPEN");
    }

    @Test
    void onlyListenersOfOutcomesMakeCallsBeTimed() {
        CircuitBreaker breaker = CircuitBreaker.builder("b").consecutiveFailures(1).build();
        CircuitBreakerListener transitionsOnly = new CircuitBreakerListener() {
            @Override
            public void onStateTransition(CircuitBreaker b, State from, State to, String reason) {
            }
        };
        CircuitBreakerListener outcomes = new CircuitBreakerListener() {
            @Override
            public void onOutcome(CircuitBreaker b, Verdict verdict, long nanos) {
            }
        };
        breaker.addListener(transitionsOnly);
        assertThat(breaker.measuresDuration()).isFalse();
        breaker.addListener(outcomes);
        assertThat(breaker.measuresDuration()).isTrue();
        breaker.removeListener(outcomes);
        breaker.removeListener(outcomes);
        assertThat(breaker.measuresDuration()).as("removing twice counts once").isFalse();
    }
}
