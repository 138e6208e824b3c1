package dev.bulwark.validation;

import static dev.bulwark.validation.BadInput.bad;
import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.CallContext;
import dev.bulwark.FailureClassifier;
import dev.bulwark.InvalidConfigException;
import dev.bulwark.breaker.CircuitBreaker;
import dev.bulwark.breaker.CircuitBreakerConfig;
import dev.bulwark.call.Pipeline;
import dev.bulwark.retry.Backoff;
import dev.bulwark.retry.Retry;
import dev.bulwark.retry.RetryBudget;
import java.time.Duration;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every builder of the breaker, retry and pipeline rejects bad values at once with an
 * {@link InvalidConfigException} naming the field, the value and what is allowed.
 */
class BreakerAndRetryBuildersRejectBadInputTest {

    static Stream<Arguments> badInputs() {
        return Stream.of(
                bad("name", "null", () -> CircuitBreaker.builder(null)),
                bad("name", "\"  \"", () -> CircuitBreaker.builder("  ")),
                bad("consecutiveFailures", "0", () -> CircuitBreakerConfig.builder().consecutiveFailures(0)),
                bad("consecutiveFailures", "-3", () -> CircuitBreakerConfig.builder().consecutiveFailures(-3)),
                bad("failureRate", "NaN", () -> CircuitBreakerConfig.builder().failureRate(Double.NaN)),
                bad("failureRate", "0.0", () -> CircuitBreakerConfig.builder().failureRate(0)),
                bad("failureRate", "100.5", () -> CircuitBreakerConfig.builder().failureRate(100.5)),
                bad("slowCallRate", "-1.0", () -> CircuitBreakerConfig.builder().slowCallRate(-1, Duration.ofSeconds(1))),
                bad("slowCallRate.slowerThan", "PT0S", () -> CircuitBreakerConfig.builder().slowCallRate(50, Duration.ZERO)),
                bad("slowCallRate.slowerThan", "null", () -> CircuitBreakerConfig.builder().slowCallRate(50, null)),
                bad("countWindow", "0", () -> CircuitBreakerConfig.builder().countWindow(0)),
                bad("timeWindow", "PT-1S", () -> CircuitBreakerConfig.builder().timeWindow(Duration.ofSeconds(-1))),
                bad("timeWindow.buckets", "0", () -> CircuitBreakerConfig.builder().timeWindow(Duration.ofSeconds(10), 0)),
                bad("minimumCalls", "0", () -> CircuitBreakerConfig.builder().minimumCalls(0)),
                bad("openFor", "null", () -> CircuitBreakerConfig.builder().openFor(null)),
                bad("openFor", "PT0S", () -> CircuitBreakerConfig.builder().openFor(Duration.ZERO)),
                bad("openBackoff.multiplier", "0.5", () -> CircuitBreakerConfig.builder().openBackoff(0.5, Duration.ofMinutes(1))),
                bad("openBackoff.multiplier", "NaN", () -> CircuitBreakerConfig.builder().openBackoff(Double.NaN, Duration.ofMinutes(1))),
                bad("openBackoff.max", "PT1S", () -> CircuitBreakerConfig.builder().consecutiveFailures(1)
                        .openFor(Duration.ofSeconds(30)).openBackoff(2, Duration.ofSeconds(1)).build()),
                bad("openJitter", "1.0", () -> CircuitBreakerConfig.builder().openJitter(1.0)),
                bad("openJitter", "NaN", () -> CircuitBreakerConfig.builder().openJitter(Double.NaN)),
                bad("halfOpenProbes", "0", () -> CircuitBreakerConfig.builder().halfOpenProbes(0)),
                bad("halfOpenSuccesses", "-1", () -> CircuitBreakerConfig.builder().halfOpenSuccesses(-1)),
                bad("probeTimeout", "PT-1S", () -> CircuitBreakerConfig.builder().probeTimeout(Duration.ofSeconds(-1))),
                bad("classifier", "null", () -> CircuitBreakerConfig.builder().classifier(null)),
                bad("trip rules", "none", () -> CircuitBreakerConfig.builder().build()),
                bad("ticker", "null", () -> CircuitBreaker.builder("b").ticker(null)),
                bad("maxAttempts", "0", () -> Retry.builder("r").maxAttempts(0)),
                bad("maxDuration", "PT0S", () -> Retry.builder("r").maxDuration(Duration.ZERO)),
                bad("backoff", "null", () -> Retry.builder("r").backoff(null)),
                bad("backoff.initial", "PT0S", () -> Backoff.exponential(Duration.ZERO, 2, Duration.ofSeconds(1))),
                bad("backoff.multiplier", "NaN", () -> Backoff.exponential(Duration.ofMillis(1), Double.NaN, Duration.ofSeconds(1))),
                bad("backoff.max", "PT0.001S", () -> Backoff.exponential(Duration.ofMillis(10), 2, Duration.ofMillis(1))),
                bad("backoff.delay", "PT-0.001S", () -> Backoff.fixed(Duration.ofMillis(-1))),
                bad("jitter", "null", () -> Backoff.none().withJitter(null)),
                bad("retryOn", "null", () -> Retry.builder("r").retryOn(null)),
                bad("ratio", "-0.1", () -> RetryBudget.builder().ratio(-0.1)),
                bad("ratio", "NaN", () -> RetryBudget.builder().ratio(Double.NaN)),
                bad("minRetriesPerSecond", "-1.0", () -> RetryBudget.builder().minRetriesPerSecond(-1)),
                bad("ttl", "PT0S", () -> RetryBudget.builder().ttl(Duration.ZERO)),
                bad("failOnResult", "null", () -> FailureClassifier.builder().failOnResult(null)),
                bad("timeout", "PT-1S", () -> CallContext.withDeadline(Duration.ofSeconds(-1), System::nanoTime)),
                bad("name", "null", () -> CallContext.key(null)),
                bad("retry", "null", () -> Pipeline.builder("p").retry(null)),
                bad("rateLimiter.maxWait", "PT-1S", () -> Pipeline.builder("p").rateLimiter(null, Duration.ofSeconds(-1))));
    }


    @ParameterizedTest(name = "{0} = {1}")
    @MethodSource("badInputs")
    void rejectsWithFieldValueAndAllowedRange(String field, String value, ThrowingCallable call) {
        BadInput.assertRejected(field, value, call);
    }

    @Test
    void theSmallestValidValuesBuild() {
        CircuitBreakerConfig config = CircuitBreakerConfig.builder().consecutiveFailures(1).failureRate(100).slowCallRate(0.5, Duration.ofNanos(1))
                .countWindow(1).minimumCalls(1).openFor(Duration.ofNanos(1)).openBackoff(1, Duration.ofNanos(1))
                .openJitter(0).halfOpenProbes(1).halfOpenSuccesses(1).probeTimeout(Duration.ofNanos(1)).build();
        assertThat(config.openNanos()).isEqualTo(1);
        assertThat(config.windowSize()).isEqualTo(1);
    }
}
