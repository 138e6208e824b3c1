package dev.bulwark.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.CallContext;
import dev.bulwark.FailureClassifier;
import dev.bulwark.PermanentException;
import dev.bulwark.testing.VirtualScheduler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Custom retry conditions and delays, and what each listener event means. */
class RetryRulesTest {
    private static final long MS = 1_000_000L;

    private final VirtualScheduler scheduler = new VirtualScheduler();
    private final List<String> events = new ArrayList<>();
    private final RetryListener recorder = new RetryListener() {
        @Override
        public void onRetry(Retry retry, int attempt, Throwable error, long delayNanos) {
            events.add("retry after " + attempt);
        }

        @Override
        public void onSuccess(Retry retry, int attempts) {
            events.add("success at " + attempts);
        }

        @Override
        public void onGiveUp(Retry retry, int attempts, Throwable error, GiveUpReason reason) {
            events.add("gave up at " + attempts + ": " + reason);
        }
    };

    private Retry.Builder retry() {
        return Retry.builder("r").scheduler(scheduler).backoff(Backoff.none()).listener(recorder);
    }

    private static Callable<String> failing(AtomicInteger calls, int failures, RuntimeException error) {
        return () -> {
            if (calls.incrementAndGet() <= failures) {
                throw error;
            }
            return "ok";
        };
    }

    @Test
    void aConditionOverTheErrorAndTheAttemptNumberDecides() {
        AtomicInteger calls = new AtomicInteger();
        Retry retry = retry().maxAttempts(10)
                .retryWhen((error, attempt) -> error instanceof UncheckedIOException && attempt < 3).build();

        assertThatThrownBy(() -> retry.call(failing(calls, 100, new UncheckedIOException(new IOException("down")))))
                .isInstanceOf(UncheckedIOException.class);

        assertThat(calls).as("attempts 1 and 2 retried, attempt 3 refused").hasValue(3);
        assertThat(events).containsExactly("retry after 1", "retry after 2", "gave up at 3: NOT_RETRYABLE");
    }

    @Test
    void aConditionNeverRevivesAPermanentFailure() {
        AtomicInteger calls = new AtomicInteger();
        Retry retry = retry().maxAttempts(5).retryWhen((error, attempt) -> true).build();
        assertThatThrownBy(() -> retry.call(failing(calls, 100, new PermanentException("bad request"))))
                .isInstanceOf(PermanentException.class);
        assertThat(calls).hasValue(1);
    }

    @Test
    void resultsAConditionAcceptsAreRetriedAndTheLastReturned() {
        AtomicInteger calls = new AtomicInteger();
        Retry retry = retry().maxAttempts(4).retryOnResult((result, attempt) -> "processing".equals(result)).build();

        String answer = retry.call(() -> calls.incrementAndGet() < 3 ? "processing" : "done");
        assertThat(answer).isEqualTo("done");
        assertThat(events).containsExactly("retry after 1", "retry after 2", "success at 3");

        events.clear();
        assertThat(retry.call(() -> "processing")).as("the last result once attempts run out").isEqualTo("processing");
        assertThat(events).endsWith("gave up at 4: MAX_ATTEMPTS");
    }

    @Test
    void abortOnIsAnnouncedAsGivingUp() {
        AtomicInteger calls = new AtomicInteger();
        Retry retry = retry().maxAttempts(5).abortOn(e -> calls.get() >= 2).build();
        assertThatThrownBy(() -> retry.call(failing(calls, 100, new IllegalStateException("x"))));
        assertThat(events).containsExactly("retry after 1", "gave up at 2: NOT_RETRYABLE");
    }

    @Test
    void everyWayOfStoppingIsAnnouncedWithItsReason() {
        Retry budgeted = retry().maxAttempts(5).budget(RetryBudget.builder().ratio(0).minRetriesPerSecond(0.1)
                .ttl(Duration.ofSeconds(10)).ticker(scheduler.ticker()).build()).build();
        assertThatThrownBy(() -> budgeted.call(failing(new AtomicInteger(), 100, new IllegalStateException())))
                .isInstanceOf(RetryBudgetExhaustedException.class);
        assertThat(events).as("the steady allowance of one retry, then no more").containsExactly("retry after 1", "gave up at 2: BUDGET");

        events.clear();
        Retry timed = retry().maxAttempts(5).backoff(Backoff.fixed(Duration.ofSeconds(1))).build();
        CallContext soon = CallContext.withDeadline(Duration.ofMillis(1500), scheduler.ticker());
        assertThatThrownBy(() -> timed.call(soon, failing(new AtomicInteger(), 100, new IllegalStateException())))
                .isInstanceOf(RetriesExhaustedException.class).hasMessageContaining("no time left");
        assertThat(events).containsExactly("retry after 1", "gave up at 2: DEADLINE");

        events.clear();
        Retry interrupted = retry().maxAttempts(5).build();
        assertThatThrownBy(() -> interrupted.call(() -> {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted work");
        })).hasMessage("interrupted work");
        assertThat(Thread.interrupted()).isTrue();
        assertThat(events).containsExactly("gave up at 1: INTERRUPTED");
    }

    @Test
    void aThrowingConditionFailsTheCallAndSaysSo() {
        Retry retry = retry().maxAttempts(3).retryWhen((error, attempt) -> {
            throw new IllegalArgumentException("condition bug");
        }).build();
        assertThatThrownBy(() -> retry.call(failing(new AtomicInteger(), 100, new IllegalStateException("attempt"))))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("condition bug")
                .satisfies(e -> assertThat(e.getSuppressed()).extracting(Throwable::getMessage).containsExactly("attempt"));
        assertThat(events).containsExactly("gave up at 1: POLICY_ERROR");
    }

    @Test
    void backoffFromAFunctionOfTheRetryNumber() {
        Retry retry = retry().maxAttempts(4).backoff(Backoff.of(n -> Duration.ofMillis(100L * n))).build();
        retry.call(failing(new AtomicInteger(), 3, new IllegalStateException()));
        assertThat(scheduler.sleeps()).containsExactly(100 * MS, 200 * MS, 300 * MS);
    }

    @Test
    void aBackoffFunctionReturningNothingFailsTheCallClearly() {
        Retry retry = retry().maxAttempts(4).backoff(Backoff.of(n -> null)).build();
        assertThatThrownBy(() -> retry.call(failing(new AtomicInteger(), 3, new IllegalStateException())))
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("the backoff function returned null for retry 1 (expected a duration >= 0)");
    }

    @Test
    void proportionalJitterStaysWithinItsBand() {
        Backoff base = Backoff.fixed(Duration.ofMillis(100));
        Backoff jittered = base.withJitter(0.2);
        assertThat(jittered.delayNanos(1, 0, 0.0)).isEqualTo(80 * MS);
        assertThat(jittered.delayNanos(1, 0, 0.5)).isEqualTo(100 * MS);
        assertThat(jittered.delayNanos(1, 0, 0.999_999)).isBetween(119 * MS, 120 * MS);
        assertThat(jittered.minimumDelayNanos()).isEqualTo(80 * MS);
        assertThat(jittered.withJitter(Jitter.FULL).delayNanos(1, 0, 0.5)).as("jitter replaced, not stacked")
                .isEqualTo(50 * MS);
        assertThat(jittered.withJitter(0)).isEqualTo(base);
    }

    @Test
    void randomRangeAndLinearBackoffs() {
        Backoff range = Backoff.random(Duration.ofMillis(50), Duration.ofMillis(150));
        assertThat(range.delayNanos(7, 0, 0.0)).isEqualTo(50 * MS);
        assertThat(range.delayNanos(1, 0, 0.5)).isEqualTo(100 * MS);
        Backoff linear = Backoff.linear(Duration.ofMillis(100), Duration.ofMillis(50), Duration.ofMillis(220));
        assertThat(linear.delayNanos(1, 0, 0)).isEqualTo(100 * MS);
        assertThat(linear.delayNanos(2, 0, 0)).isEqualTo(150 * MS);
        assertThat(linear.delayNanos(3, 0, 0)).isEqualTo(200 * MS);
        assertThat(linear.delayNanos(4, 0, 0)).isEqualTo(220 * MS);
    }

    @Test
    void aCustomBackoffIsALambda() {
        Backoff custom = (retry, previousNanos, random) -> previousNanos + 10 * MS;
        Retry retry = retry().maxAttempts(4).backoff(custom).build();
        retry.call(failing(new AtomicInteger(), 3, new IllegalStateException()));
        assertThat(scheduler.sleeps()).containsExactly(10 * MS, 20 * MS, 30 * MS);
    }

    @Test
    void asyncCallsAnnounceTheSameEvents() {
        AtomicInteger calls = new AtomicInteger();
        Retry retry = retry().maxAttempts(3).backoff(Backoff.fixed(Duration.ofMillis(10))).build();
        CompletableFuture<String> call = retry.callAsync(() -> calls.incrementAndGet() < 3
                ? CompletableFuture.failedFuture(new IllegalStateException()) : CompletableFuture.completedFuture("ok"));
        scheduler.advance(Duration.ofMillis(20));
        assertThat(call).isCompletedWithValue("ok");
        assertThat(events).containsExactly("retry after 1", "retry after 2", "success at 3");
    }

    @Test
    void theClassifierStillJudgesResultsForRetry() {
        FailureClassifier busy = FailureClassifier.builder().failOnResult(r -> "503".equals(r)).build();
        AtomicInteger calls = new AtomicInteger();
        Retry retry = retry().maxAttempts(3).classifier(busy).build();
        assertThat(retry.call(() -> calls.incrementAndGet() == 1 ? "503" : "200")).isEqualTo("200");
        assertThat(events).containsExactly("retry after 1", "success at 2");
    }

    @Test
    void aVariantKeepsEverySettingAndListenerAndChangesOnlyWhatItSets() {
        AtomicInteger calls = new AtomicInteger();
        Retry original = retry().maxAttempts(4).abortOn(e -> e instanceof IllegalArgumentException).build();
        Retry variant = original.toBuilder().delayHint((result, error) -> 5 * MS).build();

        assertThat(variant.name()).isEqualTo("r");
        assertThat(variant.maxAttempts()).isEqualTo(4);
        assertThat(variant.classifier()).isSameAs(original.classifier());
        assertThat(original.delayHint()).isNull();
        assertThat(variant.delayHint()).isNotNull();

        CompletableFuture<String> result = variant.callAsync(() -> CompletableFuture.supplyAsync(
                () -> { throw new IllegalStateException("down " + calls.incrementAndGet()); }, Runnable::run));
        scheduler.advance(Duration.ofMillis(4));
        assertThat(calls).as("the hint's 5 ms, not the original's zero backoff").hasValue(1);
        scheduler.advance(Duration.ofMillis(20));
        assertThat(result).isCompletedExceptionally();
        assertThat(calls).hasValue(4);
        assertThat(events).as("the listener came along").endsWith("gave up at 4: MAX_ATTEMPTS");

        assertThatThrownBy(() -> variant.call(failing(new AtomicInteger(), 3, new IllegalArgumentException("bad"))))
                .as("abortOn came along").isInstanceOf(IllegalArgumentException.class);
        assertThat(events).endsWith("gave up at 1: NOT_RETRYABLE");
    }
}
