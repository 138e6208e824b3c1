package dev.bulwark.breaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.FailureClassifier;
import dev.bulwark.testing.FakeTicker;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.Test;

class CircuitBreakerTripRulesTest {
    private final FakeTicker ticker = new FakeTicker();

    private static void fail(CircuitBreaker breaker, long nanos) {
        long permit = breaker.tryAcquirePermission();
        assertThat(permit).as("permit").isNotEqualTo(CircuitBreaker.NO_PERMIT);
        breaker.onFailure(permit, nanos, new IOException("boom"));
    }

    private static void succeed(CircuitBreaker breaker, long nanos) {
        long permit = breaker.tryAcquirePermission();
        assertThat(permit).as("permit").isNotEqualTo(CircuitBreaker.NO_PERMIT);
        breaker.onSuccess(permit, nanos);
    }

    @Test
    void consecutiveFailuresTripAtTheThresholdAndASuccessResetsTheRun() {
        CircuitBreaker breaker = CircuitBreaker.builder("b").consecutiveFailures(3).ticker(ticker).build();
        fail(breaker, 1);
        fail(breaker, 1);
        succeed(breaker, 1); // breaks the run
        fail(breaker, 1);
        fail(breaker, 1);
        assertThat(breaker.state()).isEqualTo(State.CLOSED);
        assertThat(breaker.metrics().consecutiveFailures()).isEqualTo(2);
        fail(breaker, 1);
        assertThat(breaker.state()).isEqualTo(State.OPEN);
        assertThat(breaker.tryAcquirePermission()).isEqualTo(CircuitBreaker.NO_PERMIT);
    }

    @Test
    void failureRateOverCountWindowWaitsForMinimumCalls() {
        CircuitBreaker breaker = CircuitBreaker.builder("b")
                .failureRate(50).countWindow(10).minimumCalls(6).ticker(ticker).build();
        for (int i = 0; i < 5; i++) {
            fail(breaker, 1); // 100 % failures but only 5 calls
        }
        assertThat(breaker.state()).isEqualTo(State.CLOSED);
        fail(breaker, 1);
        assertThat(breaker.state()).isEqualTo(State.OPEN);
        assertThat(breaker.rejection().getMessage()).contains("failure rate 100.0% over 6 calls (threshold 50.0%)");
    }

    @Test
    void countWindowForgetsCallsThatSlidOut() {
        CircuitBreaker breaker = CircuitBreaker.builder("b")
                .failureRate(50).countWindow(4).minimumCalls(4).ticker(ticker).build();
        fail(breaker, 1);
        succeed(breaker, 1);
        succeed(breaker, 1);
        succeed(breaker, 1); // window [F S S S]: 25 %
        fail(breaker, 1); // window [S S S F]: the first failure slid out, 25 %
        assertThat(breaker.state()).isEqualTo(State.CLOSED);
        assertThat(breaker.metrics().failures()).isEqualTo(1);
        assertThat(breaker.metrics().calls()).isEqualTo(4);
        fail(breaker, 1); // [S S F F]: 50 %
        assertThat(breaker.state()).isEqualTo(State.OPEN);
    }

    @Test
    void failureRateOverTimeWindowExpiresOldBuckets() {
        CircuitBreaker breaker = CircuitBreaker.builder("b")
                .failureRate(50).timeWindow(Duration.ofSeconds(10), 10).minimumCalls(4).ticker(ticker).build();
        fail(breaker, 1);
        fail(breaker, 1);
        fail(breaker, 1);
        ticker.advance(Duration.ofSeconds(11)); // those three failures leave the window
        succeed(breaker, 1);
        succeed(breaker, 1);
        succeed(breaker, 1);
        fail(breaker, 1); // 1 of 4 in the window: 25 %
        assertThat(breaker.state()).isEqualTo(State.CLOSED);
        assertThat(breaker.metrics().calls()).isEqualTo(4);
        fail(breaker, 1); // 2 of 5: 40 %
        assertThat(breaker.state()).isEqualTo(State.CLOSED);
        fail(breaker, 1); // 3 of 6: 50 %
        assertThat(breaker.state()).isEqualTo(State.OPEN);
    }

    @Test
    void slowCallRateTripsOnSlowSuccesses() {
        CircuitBreaker breaker = CircuitBreaker.builder("b")
                .slowCallRate(60, Duration.ofMillis(500)).countWindow(5).minimumCalls(5).ticker(ticker).build();
        long slow = Duration.ofMillis(500).toNanos();
        succeed(breaker, slow);
        succeed(breaker, slow);
        succeed(breaker, 1);
        succeed(breaker, 1);
        succeed(breaker, slow - 1); // just under the threshold: not slow
        assertThat(breaker.state()).isEqualTo(State.CLOSED);
        assertThat(breaker.metrics().slowCalls()).isEqualTo(2);
        succeed(breaker, slow); // replaces the oldest call, also slow: still 40 %
        assertThat(breaker.state()).isEqualTo(State.CLOSED);
        succeed(breaker, slow);
        succeed(breaker, slow); // window: slow, slow, slow, fast, under → 60 %
        assertThat(breaker.state()).isEqualTo(State.OPEN);
        assertThat(breaker.rejection().getMessage()).contains("slow-call rate 60.0%");
    }

    @Test
    void combinedRulesTripOnWhicheverFiresFirst() {
        CircuitBreaker consecutiveFirst = CircuitBreaker.builder("a").consecutiveFailures(3)
                .failureRate(90).countWindow(100).minimumCalls(50).ticker(ticker).build();
        for (int i = 0; i < 3; i++) {
            fail(consecutiveFirst, 1);
        }
        assertThat(consecutiveFirst.state()).isEqualTo(State.OPEN);
        assertThat(consecutiveFirst.rejection().getMessage()).contains("3 consecutive failures");

        CircuitBreaker rateFirst = CircuitBreaker.builder("b").consecutiveFailures(10)
                .failureRate(50).countWindow(4).minimumCalls(4).ticker(ticker).build();
        fail(rateFirst, 1);
        succeed(rateFirst, 1);
        fail(rateFirst, 1);
        succeed(rateFirst, 1); // 50 % with never more than one failure in a row
        assertThat(rateFirst.state()).isEqualTo(State.OPEN);
        assertThat(rateFirst.rejection().getMessage()).contains("failure rate 50.0%");
    }

    @Test
    void classifierDecidesWhatCounts() {
        FailureClassifier classifier = FailureClassifier.builder()
                .ignore(CancellationException.class)
                .failOnResult(result -> "503".equals(result))
                .build();
        CircuitBreaker breaker = CircuitBreaker.builder("b").consecutiveFailures(2).classifier(classifier)
                .ticker(ticker).build();
        for (int i = 0; i < 5; i++) {
            assertThatThrownBy(() -> breaker.call(() -> {
                throw new CancellationException("client gave up");
            })).isInstanceOf(CancellationException.class);
        }
        assertThat(breaker.state()).as("ignored errors never trip").isEqualTo(State.CLOSED);
        assertThat(breaker.call(() -> "503")).isEqualTo("503");
        assertThat(breaker.call(() -> "503")).isEqualTo("503");
        assertThat(breaker.state()).as("failed results count").isEqualTo(State.OPEN);
    }

    @Test
    void rejectionNamesBreakerStateReasonAndTimeToProbe() {
        CircuitBreaker breaker = CircuitBreaker.builder("grpc:user-service").consecutiveFailures(1)
                .openFor(Duration.ofSeconds(30)).ticker(ticker).build();
        fail(breaker, 1);
        ticker.advance(Duration.ofSeconds(10));
        assertThatThrownBy(() -> breaker.call(() -> "x"))
                .isInstanceOfSatisfying(BreakerOpenException.class, e -> {
                    assertThat(e.policyName()).isEqualTo("grpc:user-service");
                    assertThat(e.state()).isEqualTo(State.OPEN);
                    assertThat(e.retryAfterNanos()).isEqualTo(Duration.ofSeconds(20).toNanos());
                    assertThat(e.getStackTrace()).isEmpty();
                })
                .hasMessageContaining("grpc:user-service").hasMessageContaining("OPEN")
                .hasMessageContaining("1 consecutive failures").hasMessageContaining("PT20S");
        assertThat(breaker.metrics().rejectedCalls()).isEqualTo(1);
    }

    @Test
    void aFailureAfterAQuietSpellLeavesTheWindowAfterExactlyItsSizeInCalls() {
        CircuitBreaker breaker = CircuitBreaker.builder("b").failureRate(90).countWindow(4).minimumCalls(4)
                .ticker(ticker).build();
        for (int i = 0; i < 1_000; i++) {
            succeed(breaker, 1); // a full window of successes: later successes leave it unchanged
        }
        fail(breaker, 1);
        for (int i = 0; i < 3; i++) {
            succeed(breaker, 1);
            assertThat(breaker.metrics().failures()).as("still among the last 4 calls").isEqualTo(1);
        }
        succeed(breaker, 1);
        assertThat(breaker.metrics().failures()).as("4 calls later it is out").isZero();
        assertThat(breaker.metrics().calls()).isEqualTo(4);
    }
}
