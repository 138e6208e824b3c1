package dev.bulwark.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.InvalidConfigException;
import java.time.Duration;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** KeyedRateLimiter.Builder rejects bad values naming the field, the value and what is allowed. */
class KeyedRateLimiterBuilderBadInputTest {

    private static KeyedRateLimiter.Builder<String> builder() {
        return KeyedRateLimiter.<String>builder("keyed")
                .limiter(k -> TokenBucket.builder("k").permitsPerSecond(1).build());
    }

    static Stream<Arguments> badInputs() {
        return Stream.of(
                bad("name", "null", () -> KeyedRateLimiter.builder(null)),
                bad("name", "\"\t\"", () -> KeyedRateLimiter.builder("\t")),
                bad("limiter", "null", () -> KeyedRateLimiter.<String>builder("keyed").limiter(null)),
                bad("limiter", "null", () -> KeyedRateLimiter.<String>builder("keyed").build()),
                bad("maxKeys", "0", () -> builder().maxKeys(0)),
                bad("maxKeys", "-1", () -> builder().maxKeys(-1)),
                bad("expireAfterIdle", "PT0S", () -> builder().expireAfterIdle(Duration.ZERO)),
                bad("expireAfterIdle", "PT-10M", () -> builder().expireAfterIdle(Duration.ofMinutes(-10))),
                bad("expireAfterIdle", "null", () -> builder().expireAfterIdle(null)),
                bad("ticker", "null", () -> builder().ticker(null)),
                bad("executor", "null", () -> builder().executor(null)),
                bad("key", "null", () -> builder().build().tryAcquire(null)),
                bad("key", "null", () -> builder().build().limiterFor(null)));
    }

    private static Arguments bad(String field, String value, ThrowingCallable call) {
        return Arguments.of(field, value, call);
    }

    @ParameterizedTest(name = "{0} = {1}")
    @MethodSource("badInputs")
    void rejectsWithFieldValueAndWhatIsAllowed(String field, String value, ThrowingCallable call) {
        assertThatThrownBy(call)
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.field()).isEqualTo(field))
                .hasMessageContaining(field)
                .hasMessageContaining(value)
                .hasMessageContaining("allowed");
    }
}
