package dev.bulwark.timeout;

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

/** Timeout.of rejects bad values naming the field, the value and what is allowed. */
class TimeoutOfBadInputTest {
    private static final VirtualScheduler SCHEDULER = new VirtualScheduler();

    static Stream<Arguments> badInputs() {
        return Stream.of(
                bad("name", "null", () -> Timeout.of(null, Duration.ofSeconds(1))),
                bad("name", "\" \"", () -> Timeout.of(" ", Duration.ofSeconds(1), SCHEDULER)),
                bad("limit", "PT0S", () -> Timeout.of("t", Duration.ZERO)),
                bad("limit", "PT0S", () -> Timeout.of("t", Duration.ZERO, SCHEDULER)),
                bad("limit", "PT-1S", () -> Timeout.of("t", Duration.ofSeconds(-1), SCHEDULER)),
                bad("limit", "PT-0.000000001S", () -> Timeout.of("t", Duration.ofNanos(-1), SCHEDULER)),
                bad("limit", "null", () -> Timeout.of("t", null, SCHEDULER)),
                bad("scheduler", "null", () -> Timeout.of("t", Duration.ofSeconds(1), null)));
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

    @Test
    void theSmallestAndAHugeLimitAreAccepted() {
        assertThat(Timeout.of("t", Duration.ofNanos(1), SCHEDULER).limitNanos()).isEqualTo(1);
        assertThat(Timeout.of("t", Duration.ofDays(365 * 1000), SCHEDULER).limitNanos())
                .as("saturates rather than overflowing").isEqualTo(Long.MAX_VALUE);
    }
}
