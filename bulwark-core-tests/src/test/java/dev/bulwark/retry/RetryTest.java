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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RetryTest {
    private final VirtualScheduler scheduler = new VirtualScheduler();

    private Retry.Builder retry() {
        return Retry.builder("r").scheduler(scheduler);
    }

    private static java.util.concurrent.Callable<String> failingTimes(AtomicInteger calls, int failures) {
        return () -> {
            if (calls.incrementAndGet() <= failures) {
                throw new UncheckedIOException(new IOException("attempt " + calls.get()));
            }
            return "ok";
        };
    }

    @Test
    void retriesUntilSuccessWithExponentialBackoff() {
        AtomicInteger calls = new AtomicInteger();
        Retry retry = retry().maxAttempts(5)
                .backoff(Backoff.exponential(Duration.ofMillis(100), 2, Duration.ofMillis(300))).build();
        assertThat(retry.call(failingTimes(calls, 3))).isEqualTo("ok");
        assertThat(calls).hasValue(4);
        assertThat(scheduler.sleeps()).containsExactly(
                Duration.ofMillis(100).toNanos(), Duration.ofMillis(200).toNanos(), Duration.ofMillis(300).toNanos());
    }

    @Test
    void exhaustionCarriesEveryAttemptsError() {
        AtomicInteger calls = new AtomicInteger();
        Retry retry = retry().maxAttempts(3).backoff(Backoff.fixed(Duration.ofMillis(10))).build();
        assertThatThrownBy(() -> retry.call(failingTimes(calls, 100)))
                .isInstanceOfSatisfying(RetriesExhaustedException.class, e -> {
                    assertThat(e.attempts()).isEqualTo(3);
                    assertThat(e.getCause()).hasMessageContaining("attempt 3");
                    assertThat(e.getSuppressed()).extracting(Throwable::getMessage)
                            .containsExactly("java.io.IOException: attempt 1", "java.io.IOException: attempt 2");
                })
                .hasMessageContaining("retry 'r' gave up after 3 attempts").hasMessageContaining("max attempts 3");
        assertThat(scheduler.sleeps()).hasSize(2);
    }

    @Test
    void permanentErrorsAreNeverRetried() {
        AtomicInteger calls = new AtomicInteger();
        Retry retry = retry().maxAttempts(5).build();
        assertThatThrownBy(() -> retry.call(() -> {
            calls.incrementAndGet();
            throw new PermanentException(new IllegalArgumentException("bad order id"));
        })).isInstanceOf(PermanentException.class);
        assertThat(calls).hasValue(1);

        Retry classified = retry().maxAttempts(5)
                .classifier(FailureClassifier.builder().permanent(IllegalStateException.class).build()).build();
        assertThatThrownBy(() -> classified.call(() -> {
            calls.incrementAndGet();
            throw new IllegalStateException("not found");
        })).isInstanceOf(IllegalStateException.class);
        assertThat(calls).hasValue(2);
        assertThat(scheduler.sleeps()).isEmpty();
    }

    @Test
    void retryOnAndAbortOnRefineWhatIsRetried() {
        AtomicInteger calls = new AtomicInteger();
        Retry onlyIo = retry().maxAttempts(3).retryOn(e -> e instanceof UncheckedIOException).build();
        assertThatThrownBy(() -> onlyIo.call(() -> {
            calls.incrementAndGet();
            throw new ArithmeticException();
        })).isInstanceOf(ArithmeticException.class);
        assertThat(calls).hasValue(1);

        Retry abort = retry().maxAttempts(3).abortOn(e -> e.getMessage().contains("quota")).build();
        assertThatThrownBy(() -> abort.call(() -> {
            calls.incrementAndGet();
            throw new RuntimeException("quota exceeded");
        })).hasMessage("quota exceeded");
        assertThat(calls).hasValue(2);
    }

    @Test
    void failedResultsAreRetriedAndTheLastReturnedWhenAttemptsRunOut() {
        AtomicInteger calls = new AtomicInteger();
        Retry retry = retry().maxAttempts(3).backoff(Backoff.none())
                .classifier(FailureClassifier.builder().failOnResult(r -> ((Integer) r) >= 500).build()).build();
        assertThat(retry.call(() -> calls.incrementAndGet() < 3 ? 503 : 200)).isEqualTo(200);
        calls.set(0);
        assertThat(retry.call(() -> 500 + calls.incrementAndGet())).isEqualTo(503);
    }

    @Test
    void serverDelayHintIsHonoured() {
        AtomicInteger calls = new AtomicInteger();
        Retry retry = retry().maxAttempts(2).backoff(Backoff.fixed(Duration.ofMillis(10)))
                .delayHint((result, error) -> error != null ? Duration.ofSeconds(2).toNanos() : -1).build();
        assertThat(retry.call(failingTimes(calls, 1))).isEqualTo("ok");
        assertThat(scheduler.sleeps()).containsExactly(Duration.ofSeconds(2).toNanos());
    }

    @Test
    void noAttemptStartsPastTheTimeBudgetOrTheContextDeadline() {
        AtomicInteger calls = new AtomicInteger();
        Retry retry = retry().maxAttempts(100).backoff(Backoff.fixed(Duration.ofSeconds(1)))
                .maxDuration(Duration.ofMillis(3500)).build();
        assertThatThrownBy(() -> retry.call(failingTimes(calls, 1000)))
                .isInstanceOf(RetriesExhaustedException.class).hasMessageContaining("no time left");
        assertThat(calls).hasValue(4); // at 0, 1, 2, 3 s; the next would start at 4 s > 3.5 s

        calls.set(0);
        Retry unbounded = retry().maxAttempts(100).backoff(Backoff.fixed(Duration.ofSeconds(1))).build();
        CallContext context = CallContext.withDeadline(Duration.ofMillis(1500), scheduler.ticker());
        assertThatThrownBy(() -> unbounded.call(context, failingTimes(calls, 1000)))
                .isInstanceOf(RetriesExhaustedException.class);
        assertThat(calls).hasValue(2);
    }

    @Test
    void interruptionStopsRetrying() {
        AtomicInteger calls = new AtomicInteger();
        Retry retry = retry().maxAttempts(10).build();
        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(() -> retry.call(failingTimes(calls, 100)))
                    .isInstanceOf(UncheckedIOException.class);
            assertThat(calls).hasValue(1);
            assertThat(Thread.currentThread().isInterrupted()).as("interrupt status kept").isTrue();
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void jitterKindsStayWithinTheirBounds() {
        Backoff base = Backoff.exponential(Duration.ofMillis(100), 2, Duration.ofSeconds(1));
        long d3 = Duration.ofMillis(400).toNanos();
        assertThat(base.delayNanos(3, 0, 0.7)).isEqualTo(d3);
        assertThat(base.withJitter(Jitter.FULL).delayNanos(3, 0, 0.0)).isZero();
        assertThat(base.withJitter(Jitter.FULL).delayNanos(3, 0, 0.5)).isEqualTo(d3 / 2);
        assertThat(base.withJitter(Jitter.EQUAL).delayNanos(3, 0, 0.0)).isEqualTo(d3 / 2);
        assertThat(base.withJitter(Jitter.EQUAL).delayNanos(3, 0, 0.999)).isLessThan(d3);
        Backoff decorrelated = base.withJitter(Jitter.DECORRELATED);
        long previous = Duration.ofMillis(200).toNanos();
        assertThat(decorrelated.delayNanos(2, previous, 0.0)).isEqualTo(Duration.ofMillis(100).toNanos());
        assertThat(decorrelated.delayNanos(2, previous, 0.999)).isLessThan(3 * previous);
        assertThat(decorrelated.delayNanos(9, Duration.ofSeconds(5).toNanos(), 0.999))
                .isEqualTo(Duration.ofSeconds(1).toNanos());
    }

    @Test
    void asyncRetryBacksOffOnTheSchedulerAndCanBeCancelled() {
        AtomicInteger calls = new AtomicInteger();
        Retry retry = retry().maxAttempts(5).backoff(Backoff.fixed(Duration.ofSeconds(1))).build();
        CompletableFuture<String> result = retry.callAsync(() -> calls.incrementAndGet() < 3
                ? CompletableFuture.failedFuture(new IOException("down")) : CompletableFuture.completedFuture("up"));
        assertThat(calls).hasValue(1);
        assertThat(result).isNotDone();
        scheduler.advance(Duration.ofSeconds(1));
        assertThat(calls).hasValue(2);
        scheduler.advance(Duration.ofSeconds(1));
        assertThat(result).isCompletedWithValue("up");

        AtomicInteger attempts = new AtomicInteger();
        CompletableFuture<String> cancelled = retry.callAsync(() -> {
            attempts.incrementAndGet();
            return CompletableFuture.failedFuture(new IOException("down"));
        });
        cancelled.cancel(true);
        scheduler.advance(Duration.ofSeconds(10));
        assertThat(attempts).as("no attempt after cancellation").hasValue(1);
    }

    @Test
    void listenersSeeRetriesAndGivingUp() {
        List<String> events = new ArrayList<>();
        Retry retry = retry().maxAttempts(2).backoff(Backoff.fixed(Duration.ofMillis(5))).listener(new RetryListener() {
            @Override
            public void onRetry(Retry r, int attempt, Throwable error, long delayNanos) {
                events.add("retry " + attempt + " after " + delayNanos);
            }

            @Override
            public void onGiveUp(Retry r, int attempts, Throwable error, GiveUpReason reason) {
                events.add("gave up after " + attempts + ": " + reason);
            }
        }).build();
        assertThatThrownBy(() -> retry.call(failingTimes(new AtomicInteger(), 10)));
        assertThat(events).containsExactly("retry 1 after 5000000", "gave up after 2: MAX_ATTEMPTS");
    }
}
