package dev.bulwark.timeout;

import static dev.bulwark.validation.BadInput.bad;
import dev.bulwark.validation.BadInput;
import static org.assertj.core.api.Assertions.assertThat;

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


    @ParameterizedTest(name = "{0} = {1}")
    @MethodSource("badInputs")
    void rejectsWithFieldValueAndWhatIsAllowed(String field, String value, ThrowingCallable call) {
        BadInput.assertRejected(field, value, call);
    }

    @Test
    void theSmallestAndAHugeLimitAreAccepted() {
        assertThat(Timeout.of("t", Duration.ofNanos(1), SCHEDULER).limitNanos()).isEqualTo(1);
        assertThat(Timeout.of("t", Duration.ofDays(365 * 1000), SCHEDULER).limitNanos())
                .as("saturates rather than overflowing").isEqualTo(Long.MAX_VALUE);
    }
}
