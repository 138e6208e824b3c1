package dev.bulwark.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.InvalidConfigException;
import dev.bulwark.breaker.CircuitBreakerConfig;
import dev.bulwark.fallback.StaleCache;
import dev.bulwark.ratelimit.SlidingWindowLimiter;
import dev.bulwark.ratelimit.TokenBucket;
import dev.bulwark.retry.Backoff;
import dev.bulwark.retry.Jitter;
import dev.bulwark.retry.Retry;
import dev.bulwark.retry.RetryBudget;
import java.time.Duration;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Settings each valid alone but never workable together are refused at build time, and the
 * message names both fields: the one refused and the one it conflicts with.
 */
class ImpossibleCombinationsTest {

    static Stream<Arguments> combinations() {
        return Stream.of(
                Arguments.of("failure rate on a count window smaller than minimumCalls", "minimumCalls", "countWindow",
                        (ThrowingCallable) () -> CircuitBreakerConfig.builder().failureRate(50).countWindow(5).minimumCalls(10).build()),
                Arguments.of("slow-call rate likewise", "minimumCalls", "countWindow",
                        (ThrowingCallable) () -> CircuitBreakerConfig.builder().slowCallRate(50, Duration.ofSeconds(1))
                                .minimumCalls(101).build()),
                Arguments.of("timeout rate likewise", "minimumCalls", "countWindow",
                        (ThrowingCallable) () -> CircuitBreakerConfig.builder().timeoutRate(50).countWindow(3).minimumCalls(4).build()),
                Arguments.of("open backoff capped below the first open time", "openBackoff.max", "openFor",
                        (ThrowingCallable) () -> CircuitBreakerConfig.builder().consecutiveFailures(1)
                                .openFor(Duration.ofSeconds(30)).openBackoff(2, Duration.ofSeconds(10)).build()),
                Arguments.of("retry time budget shorter than any backoff", "maxDuration", "backoff",
                        (ThrowingCallable) () -> Retry.builder("r").maxAttempts(3).maxDuration(Duration.ofMillis(100))
                                .backoff(Backoff.fixed(Duration.ofMillis(200))).build()),
                Arguments.of("retry time budget shorter than an equal-jittered backoff's floor", "maxDuration", "backoff",
                        (ThrowingCallable) () -> Retry.builder("r").maxAttempts(3).maxDuration(Duration.ofMillis(100))
                                .backoff(Backoff.exponential(Duration.ofMillis(400), 2, Duration.ofSeconds(5))
                                        .withJitter(Jitter.EQUAL)).build()),
                Arguments.of("retry budget that never allows a retry", "budget", "maxAttempts",
                        (ThrowingCallable) () -> Retry.builder("r").maxAttempts(3)
                                .budget(RetryBudget.builder().ratio(0).minRetriesPerSecond(0).build()).build()),
                Arguments.of("token bucket burst too large for its rate", "burst", "permitsPerSecond",
                        (ThrowingCallable) () -> TokenBucket.builder("t").permitsPerSecond(1e-6).burst(1_000_000_000).build()),
                Arguments.of("stale cache fresh longer than it may be stale", "freshFor", "maxStaleness",
                        (ThrowingCallable) () -> StaleCache.builder("c").maxStaleness(Duration.ofSeconds(1))
                                .freshFor(Duration.ofSeconds(2)).build()),
                Arguments.of("exact sliding window too large to keep", "limit", "exact",
                        (ThrowingCallable) () -> SlidingWindowLimiter.builder("s").limit(20_000_000, Duration.ofSeconds(1))
                                .exact(true).build()));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("combinations")
    void refusedNamingBothFields(String name, String field, String otherField, ThrowingCallable build) {
        assertThatThrownBy(build).isInstanceOfSatisfying(InvalidConfigException.class, e -> {
            assertThat(e.field()).isEqualTo(field);
            assertThat(e.getMessage()).startsWith(field + " = ").contains(": allowed is ").contains(otherField);
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("workable")
    void theNearestWorkableCombinationsBuild(String name, ThrowingCallable build) {
        org.assertj.core.api.Assertions.assertThatCode(build).doesNotThrowAnyException();
    }

    static Stream<Arguments> workable() {
        return Stream.of(
                Arguments.of("minimumCalls equal to the window", (ThrowingCallable) () ->
                        CircuitBreakerConfig.builder().failureRate(50).countWindow(5).minimumCalls(5).build()),
                Arguments.of("minimumCalls above a count window without a rate rule", (ThrowingCallable) () ->
                        CircuitBreakerConfig.builder().consecutiveFailures(3).countWindow(5).minimumCalls(10).build()),
                Arguments.of("a time window's minimum is a matter of traffic", (ThrowingCallable) () ->
                        CircuitBreakerConfig.builder().failureRate(50).timeWindow(Duration.ofSeconds(1)).minimumCalls(1000).build()),
                Arguments.of("a fully jittered backoff can always fit the budget", (ThrowingCallable) () ->
                        Retry.builder("r").maxAttempts(3).maxDuration(Duration.ofMillis(100))
                                .backoff(Backoff.fixed(Duration.ofMillis(200)).withJitter(Jitter.FULL)).build()),
                Arguments.of("a single attempt needs no backoff room", (ThrowingCallable) () ->
                        Retry.builder("r").maxAttempts(1).maxDuration(Duration.ofMillis(100))
                                .backoff(Backoff.fixed(Duration.ofMillis(200))).build()),
                Arguments.of("a budget with only a steady allowance", (ThrowingCallable) () ->
                        Retry.builder("r").maxAttempts(3).budget(RetryBudget.builder().ratio(0).minRetriesPerSecond(1).build())
                                .build()));
    }
}
