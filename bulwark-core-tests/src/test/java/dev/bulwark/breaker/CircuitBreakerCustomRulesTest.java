package dev.bulwark.breaker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.FailureClassifier;
import dev.bulwark.testing.FakeTicker;
import dev.bulwark.testing.VirtualScheduler;
import dev.bulwark.timeout.CallTimeoutException;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/** Timeout rate, custom trip rules over the counts, metrics-only mode, windows and classifiers that throw. */
class CircuitBreakerCustomRulesTest {
    private final VirtualScheduler scheduler = new VirtualScheduler();

    private static void outcome(CircuitBreaker breaker, long nanos, Throwable error) {
        long permit = breaker.tryAcquirePermission();
        assertThat(permit).as("permit").isNotEqualTo(CircuitBreaker.NO_PERMIT);
        if (error == null) {
            breaker.onSuccess(permit, nanos);
        } else {
            breaker.onFailure(permit, nanos, error);
        }
    }

    @Test
    void timeoutRateCountsTimeoutsApartFromOtherFailuresAndSlowCalls() {
        CircuitBreaker breaker = CircuitBreaker.builder("b").timeoutRate(50).countWindow(4)
                .slowCallDuration(Duration.ofMillis(100)).scheduler(scheduler).build();
        outcome(breaker, 500_000_000, null); // slow, but answered
        outcome(breaker, 0, new IOException("refused")); // failed, not a timeout
        outcome(breaker, 0, new CallTimeoutException("t", 1, null));
        outcome(breaker, 0, null);
        assertThat(breaker.metrics().timeouts()).isEqualTo(1);
        assertThat(breaker.metrics().slowCalls()).isEqualTo(1);
        assertThat(breaker.state()).as("1 timeout in 4: 25 %").isEqualTo(State.CLOSED);

        outcome(breaker, 0, new TimeoutException("socket read"));

        assertThat(breaker.state()).isEqualTo(State.OPEN);
        assertThat(breaker.rejection().getMessage()).contains("timeout rate 50.0% over 4 calls (threshold 50.0%)");
    }

    @Test
    void aClassifierNamesATransportsOwnTimeouts() {
        class GrpcDeadlineExceeded extends RuntimeException {
        }
        FailureClassifier classifier = FailureClassifier.builder().timeoutOn(GrpcDeadlineExceeded.class).build();
        assertThat(classifier.isTimeout(new GrpcDeadlineExceeded())).isTrue();
        assertThat(classifier.isTimeout(new java.util.concurrent.CompletionException(new GrpcDeadlineExceeded()))).isTrue();
        assertThat(classifier.isTimeout(new IOException())).isFalse();
        assertThat(FailureClassifier.defaults().isTimeout(new java.net.SocketTimeoutException())).isTrue();
    }

    @Test
    void aCustomRuleSeesEveryCountAndNamesItselfWhenItFires() {
        List<BreakerCounts> seen = new ArrayList<>();
        TripRule rule = TripRule.of("3 failures after 2+ successes", counts -> {
            seen.add(snapshot(counts));
            return counts.failures() >= 3 && counts.successes() >= 2;
        });
        CircuitBreaker breaker = CircuitBreaker.builder("b").countWindow(10).tripWhen(rule)
                .slowCallDuration(Duration.ofMillis(10)).scheduler(scheduler).build();

        outcome(breaker, 0, null);
        outcome(breaker, 20_000_000, null);
        outcome(breaker, 0, new IOException());
        outcome(breaker, 0, new CallTimeoutException("t", 1, null));
        assertThat(breaker.state()).isEqualTo(State.CLOSED);
        BreakerCounts last = seen.get(seen.size() - 1);
        assertThat(last.calls()).isEqualTo(4);
        assertThat(last.failures()).isEqualTo(2);
        assertThat(last.successes()).isEqualTo(2);
        assertThat(last.slowCalls()).isEqualTo(1);
        assertThat(last.timeouts()).isEqualTo(1);
        assertThat(last.consecutiveFailures()).isEqualTo(2);
        assertThat(last.consecutiveSuccesses()).isZero();

        outcome(breaker, 0, new IOException());

        assertThat(breaker.state()).isEqualTo(State.OPEN);
        assertThat(breaker.rejection().getMessage())
                .contains("trip rule '3 failures after 2+ successes' fired on calls=5, failures=3");
    }

    @Test
    void consecutiveSuccessesAreCountedForACustomRule() {
        CircuitBreaker breaker = CircuitBreaker.builder("b").tripWhen(c -> false).scheduler(scheduler).build();
        outcome(breaker, 0, null);
        outcome(breaker, 0, null);
        assertThat(breaker.metrics().consecutiveSuccesses()).isEqualTo(2);
        outcome(breaker, 0, new IOException());
        assertThat(breaker.metrics().consecutiveSuccesses()).isZero();
        assertThat(breaker.metrics().consecutiveFailures()).isEqualTo(1);
    }

    @Test
    void theBuiltInRulesAsTripRulesTripExactlyWhenTheBuiltInsDo() {
        Random random = new Random(7);
        for (int run = 0; run < 200; run++) {
            CircuitBreaker builtIn = CircuitBreaker.builder("a").consecutiveFailures(4).failureRate(50).countWindow(8)
                    .minimumCalls(6).timeoutRate(40).scheduler(scheduler).build();
            CircuitBreaker custom = CircuitBreaker.builder("b").countWindow(8).tripWhen(TripRule.consecutiveFailures(4)
                    .or(TripRule.failureRate(50, 6)).or(TripRule.timeoutRate(40, 6))).scheduler(scheduler).build();
            for (int call = 0; call < 30 && builtIn.state() == State.CLOSED; call++) {
                int kind = random.nextInt(4);
                Throwable error = kind == 0 ? new IOException() : kind == 1 ? new CallTimeoutException("t", 1, null) : null;
                outcome(builtIn, 0, error);
                outcome(custom, 0, error);
                assertThat(custom.state()).as("run %d call %d", run, call).isEqualTo(builtIn.state());
            }
        }
    }

    @Test
    void tripRulesDescribeThemselves() {
        assertThat(TripRule.consecutiveFailures(3).or(TripRule.failureRate(50, 10)).and(TripRule.slowCallRate(80, 5)))
                .hasToString("((3 consecutive failures) or (failure rate >= 50.0% over >= 10 calls)) and "
                        + "(slow-call rate >= 80.0% over >= 5 calls)");
    }

    @Test
    void metricsOnlyModeTripsAndAnnouncesButLetsEveryCallThrough() {
        List<String> events = new ArrayList<>();
        CircuitBreaker breaker = CircuitBreaker.builder("b").consecutiveFailures(2).openFor(Duration.ofSeconds(10))
                .metricsOnly(true).scheduler(scheduler).listener(new CircuitBreakerListener() {
                    @Override
                    public void onStateTransition(CircuitBreaker b, State from, State to, String reason) {
                        events.add(from + "->" + to);
                    }

                    @Override
                    public void onRejected(CircuitBreaker b, State state) {
                        events.add("would reject in " + state);
                    }
                }).build();
        outcome(breaker, 0, new IOException());
        outcome(breaker, 0, new IOException());
        assertThat(breaker.state()).isEqualTo(State.OPEN);

        assertThat(breaker.call(() -> "ran")).isEqualTo("ran");
        assertThat(breaker.call(() -> "ran again")).isEqualTo("ran again");
        assertThat(breaker.metrics().rejectedCalls()).isEqualTo(2);
        scheduler.advance(Duration.ofSeconds(10));
        long probe = breaker.tryAcquirePermission();
        assertThat(breaker.call(() -> "beside the probe")).isEqualTo("beside the probe");
        breaker.onSuccess(probe, 0);

        assertThat(breaker.state()).isEqualTo(State.CLOSED);
        assertThat(events).containsExactly("CLOSED->OPEN", "would reject in OPEN", "would reject in OPEN",
                "OPEN->HALF_OPEN", "would reject in HALF_OPEN", "HALF_OPEN->CLOSED");
    }

    @Test
    void metricsOnlyStillObeysAnOperatorsForcedOpen() {
        CircuitBreaker breaker = CircuitBreaker.builder("b").consecutiveFailures(2).metricsOnly(true)
                .scheduler(scheduler).build();
        breaker.forceOpen();
        assertThat(breaker.tryAcquirePermission()).isEqualTo(CircuitBreaker.NO_PERMIT);
    }

    @Test
    void anUnsetMinimumFollowsASmallCountWindowSoTheRuleCanFire() {
        CircuitBreaker breaker = CircuitBreaker.builder("b").failureRate(50).countWindow(5).scheduler(scheduler).build();
        assertThat(breaker.config().minimumCalls()).isEqualTo(5);
        for (int i = 0; i < 4; i++) {
            outcome(breaker, 0, new IOException());
        }
        assertThat(breaker.state()).isEqualTo(State.CLOSED);
        outcome(breaker, 0, new IOException());
        assertThat(breaker.state()).isEqualTo(State.OPEN);

        CircuitBreakerConfig derived = breaker.config().toBuilder().countWindow(3).build();
        assertThat(derived.minimumCalls()).as("derived again, not copied").isEqualTo(3);
        assertThat(CircuitBreakerConfig.builder().failureRate(50).build().minimumCalls()).isEqualTo(10);
        assertThat(CircuitBreakerConfig.builder().failureRate(50).timeWindow(Duration.ofSeconds(10)).build().minimumCalls())
                .isEqualTo(10);
    }

    @Test
    void aTimeWindowCountsFromTheBreakersStartNotFromTheTickersZero() {
        FakeTicker ticker = new FakeTicker();
        ticker.advance(Duration.ofMillis(7_300)); // the ticker's 10 s boundary falls 2.7 s after the start
        CircuitBreaker breaker = CircuitBreaker.builder("b").failureRate(50).timeWindow(Duration.ofSeconds(10), 1)
                .minimumCalls(4).ticker(ticker).build();

        outcome(breaker, 0, new IOException());
        outcome(breaker, 0, null);
        ticker.advance(Duration.ofMillis(9_000)); // across the ticker's boundary, within the breaker's first window
        outcome(breaker, 0, null);
        assertThat(breaker.metrics().calls()).as("one window since the start").isEqualTo(3);
        outcome(breaker, 0, new IOException());

        assertThat(breaker.state()).isEqualTo(State.OPEN);
    }

    @Test
    void reconfigureRacingWithItselfNeverPairsAConfigWithAnotherWindow() throws Exception {
        CircuitBreaker breaker = CircuitBreaker.builder("b").failureRate(90).countWindow(5).scheduler(scheduler).build();
        CircuitBreakerConfig counts = breaker.config();
        CircuitBreakerConfig times = counts.toBuilder().timeWindow(Duration.ofSeconds(10), 4).build();
        Thread[] threads = new Thread[2];
        for (int t = 0; t < threads.length; t++) {
            CircuitBreakerConfig mine = t == 0 ? counts : times;
            threads[t] = new Thread(() -> {
                for (int i = 0; i < 20_000; i++) {
                    breaker.reconfigure(mine);
                    outcome(breaker, 0, null);
                }
            });
        }
        for (Thread t : threads) {
            t.start();
        }
        for (Thread t : threads) {
            t.join(60_000);
        }
        assertThat(breaker.windowFitsConfig()).isTrue();
    }

    @Test
    void aThrowingClassifierReleasesThePermitAndFailsTheCall() {
        FailureClassifier broken = FailureClassifier.builder().failOnResult(r -> {
            throw new IllegalStateException("classifier bug");
        }).build();
        CircuitBreaker breaker = CircuitBreaker.builder("b").consecutiveFailures(1).halfOpenProbes(1)
                .classifier(broken).scheduler(scheduler).build();
        breaker.halfOpen();

        assertThatThrownBy(() -> breaker.call(() -> "x")).hasMessage("classifier bug");
        assertThat(breaker.metrics().probesInFlight()).as("the probe slot is free again").isZero();

        CompletableFuture<String> async = breaker.callAsync(() -> CompletableFuture.completedFuture("y"));
        assertThat(async).isCompletedExceptionally();
        assertThatThrownBy(async::join).hasRootCauseMessage("classifier bug");
        assertThat(breaker.metrics().probesInFlight()).isZero();
    }

    @Test
    void cancellingAnAsyncCallCancelsTheTaskAndReleasesTheProbe() {
        CircuitBreaker breaker = CircuitBreaker.builder("b").consecutiveFailures(1).scheduler(scheduler).build();
        breaker.halfOpen();
        CompletableFuture<String> task = new CompletableFuture<>();

        CompletableFuture<String> call = breaker.callAsync(() -> task);
        call.cancel(true);

        assertThat(task).isCancelled();
        assertThat(breaker.metrics().probesInFlight()).isZero();
        assertThat(breaker.state()).as("a cancellation is no verdict").isEqualTo(State.HALF_OPEN);
    }

    private static BreakerCounts snapshot(BreakerCounts c) {
        return new CircuitBreakerMetrics(State.CLOSED, c.calls(), c.failures(), c.slowCalls(), c.timeouts(),
                c.consecutiveFailures(), c.consecutiveSuccesses(), 0, 0, 0);
    }
}
