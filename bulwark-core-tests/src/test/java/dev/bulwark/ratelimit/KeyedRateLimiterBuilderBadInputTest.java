package dev.bulwark.ratelimit;

import static dev.bulwark.validation.BadInput.bad;
import dev.bulwark.validation.BadInput;

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


    @ParameterizedTest(name = "{0} = {1}")
    @MethodSource("badInputs")
    void rejectsWithFieldValueAndWhatIsAllowed(String field, String value, ThrowingCallable call) {
        BadInput.assertRejected(field, value, call);
    }
}
