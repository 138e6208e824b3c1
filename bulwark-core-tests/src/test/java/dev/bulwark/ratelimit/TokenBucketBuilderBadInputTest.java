package dev.bulwark.ratelimit;

import static dev.bulwark.validation.BadInput.bad;
import dev.bulwark.validation.BadInput;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.InvalidConfigException;
import dev.bulwark.testing.VirtualScheduler;
import java.time.Duration;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** TokenBucket.Builder (and the live setters) reject bad values naming the field, the value and what is allowed. */
class TokenBucketBuilderBadInputTest {
    private static final VirtualScheduler SCHEDULER = new VirtualScheduler();

    private static TokenBucket valid() {
        return TokenBucket.builder("tb").permitsPerSecond(10).burst(5).scheduler(SCHEDULER).build();
    }

    static Stream<Arguments> badInputs() {
        return Stream.of(
                bad("name", "null", () -> TokenBucket.builder(null)),
                bad("name", "\"  \"", () -> TokenBucket.builder("  ")),
                bad("name", "\"\"", () -> TokenBucket.builder("")),
                bad("permitsPerSecond", "0.0", () -> TokenBucket.builder("tb").permitsPerSecond(0)),
                bad("permitsPerSecond", "-1.0", () -> TokenBucket.builder("tb").permitsPerSecond(-1)),
                bad("permitsPerSecond", "NaN", () -> TokenBucket.builder("tb").permitsPerSecond(Double.NaN)),
                bad("permitsPerSecond", "Infinity", () -> TokenBucket.builder("tb").permitsPerSecond(Double.POSITIVE_INFINITY)),
                bad("permitsPerSecond", "-Infinity", () -> TokenBucket.builder("tb").permitsPerSecond(Double.NEGATIVE_INFINITY)),
                bad("permitsPerSecond", "1.000000001E9", () -> TokenBucket.builder("tb").permitsPerSecond(1.000000001e9)),
                bad("permitsPerSecond", "unset", () -> TokenBucket.builder("tb").burst(3).build()),
                bad("rate.permits", "0", () -> TokenBucket.builder("tb").rate(0, Duration.ofSeconds(1))),
                bad("rate.permits", "-5", () -> TokenBucket.builder("tb").rate(-5, Duration.ofSeconds(1))),
                bad("rate.period", "PT0S", () -> TokenBucket.builder("tb").rate(1, Duration.ZERO)),
                bad("rate.period", "PT-1S", () -> TokenBucket.builder("tb").rate(1, Duration.ofSeconds(-1))),
                bad("rate.period", "null", () -> TokenBucket.builder("tb").rate(1, null)),
                bad("permitsPerSecond", "2.147483647E18", () -> TokenBucket.builder("tb").rate(Integer.MAX_VALUE, Duration.ofNanos(1))),
                bad("burst", "0", () -> TokenBucket.builder("tb").burst(0)),
                bad("burst", "-1", () -> TokenBucket.builder("tb").burst(-1)),
                bad("burst", "1000000001", () -> TokenBucket.builder("tb").burst(1_000_000_001)),
                bad("burst", "3", () -> TokenBucket.builder("tb").permitsPerSecond(1e-9).burst(3).build()),
                bad("scheduler", "null", () -> TokenBucket.builder("tb").scheduler(null)),
                bad("permitsPerSecond", "NaN", () -> valid().setRate(Double.NaN, 5)),
                bad("permitsPerSecond", "0.0", () -> valid().setRate(0, 5)),
                bad("permitsPerSecond", "-2.0", () -> valid().setRate(-2, 5)),
                bad("burst", "0", () -> valid().setRate(10, 0)),
                bad("maxWait", "PT-0.001S", () -> valid().tryAcquire(1, Duration.ofMillis(-1))),
                bad("maxWait", "null", () -> valid().tryAcquire(1, null)),
                bad("permits", "0", () -> valid().tryAcquire(0)),
                bad("permits", "-1", () -> valid().reserve(-1, 0)),
                bad("permits", "6", () -> valid().tryAcquire(6)));
    }


    @ParameterizedTest(name = "{0} = {1}")
    @MethodSource("badInputs")
    void rejectsWithFieldValueAndWhatIsAllowed(String field, String value, ThrowingCallable call) {
        BadInput.assertRejected(field, value, call);
    }

    @Test
    void aRejectedValueLeavesTheBuilderAsItWas() {
        TokenBucket.Builder builder = TokenBucket.builder("tb").permitsPerSecond(10).burst(5).scheduler(SCHEDULER);

        assertThatThrownBy(() -> builder.burst(0)).isInstanceOf(InvalidConfigException.class);
        assertThatThrownBy(() -> builder.permitsPerSecond(Double.NaN)).isInstanceOf(InvalidConfigException.class);

        TokenBucket bucket = builder.build();
        assertThat(bucket.burst()).isEqualTo(5);
        assertThat(bucket.permitsPerSecond()).isEqualTo(10.0);
    }

    @Test
    void theLargestAllowedValuesAreAccepted() {
        TokenBucket bucket = TokenBucket.builder("tb").permitsPerSecond(1e9).burst(1_000_000_000).scheduler(SCHEDULER).build();

        assertThat(bucket.availablePermits()).isEqualTo(1_000_000_000L);
    }
}
