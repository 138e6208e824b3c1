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

/** SlidingWindowLimiter.Builder (and setLimit) reject bad values naming the field, the value and what is allowed. */
class SlidingWindowLimiterBuilderBadInputTest {
    private static final VirtualScheduler SCHEDULER = new VirtualScheduler();

    private static SlidingWindowLimiter exact() {
        return SlidingWindowLimiter.builder("sw").limit(5, Duration.ofSeconds(1)).scheduler(SCHEDULER).build();
    }

    private static SlidingWindowLimiter approximate() {
        return SlidingWindowLimiter.builder("sw").limit(5, Duration.ofSeconds(1)).exact(false).scheduler(SCHEDULER).build();
    }

    static Stream<Arguments> badInputs() {
        return Stream.of(
                bad("name", "null", () -> SlidingWindowLimiter.builder(null)),
                bad("name", "\" \"", () -> SlidingWindowLimiter.builder(" ")),
                bad("limit", "0", () -> SlidingWindowLimiter.builder("sw").limit(0, Duration.ofSeconds(1))),
                bad("limit", "-1", () -> SlidingWindowLimiter.builder("sw").limit(-1, Duration.ofSeconds(1))),
                bad("window", "PT0S", () -> SlidingWindowLimiter.builder("sw").limit(1, Duration.ZERO)),
                bad("window", "PT-0.001S", () -> SlidingWindowLimiter.builder("sw").limit(1, Duration.ofMillis(-1))),
                bad("window", "null", () -> SlidingWindowLimiter.builder("sw").limit(1, null)),
                bad("limit", "unset", () -> SlidingWindowLimiter.builder("sw").build()),
                bad("limit", "unset", () -> SlidingWindowLimiter.builder("sw").exact(true).build()),
                bad("limit", "10000001", () -> SlidingWindowLimiter.builder("sw").limit(10_000_001, Duration.ofSeconds(1))
                        .exact(true).build()),
                bad("scheduler", "null", () -> SlidingWindowLimiter.builder("sw").scheduler(null)),
                bad("limit", "0", () -> exact().setLimit(0)),
                bad("limit", "-4", () -> approximate().setLimit(-4)),
                bad("maxWait", "PT-1S", () -> exact().tryAcquire(1, Duration.ofSeconds(-1))),
                bad("maxWait", "null", () -> exact().tryAcquire(1, null)),
                bad("permits", "0", () -> exact().tryAcquire(0)),
                bad("permits", "6", () -> approximate().tryAcquire(6)));
    }


    @ParameterizedTest(name = "{0} = {1}")
    @MethodSource("badInputs")
    void rejectsWithFieldValueAndWhatIsAllowed(String field, String value, ThrowingCallable call) {
        BadInput.assertRejected(field, value, call);
    }

    @Test
    void aRejectedSetLimitKeepsTheOldLimit() {
        SlidingWindowLimiter limiter = exact();

        assertThatThrownBy(() -> limiter.setLimit(0)).isInstanceOf(InvalidConfigException.class);

        assertThat(limiter.limit()).isEqualTo(5);
    }

    @Test
    void approximateModeAcceptsAnyIntLimit() {
        SlidingWindowLimiter limiter = SlidingWindowLimiter.builder("sw").limit(Integer.MAX_VALUE, Duration.ofSeconds(1))
                .scheduler(SCHEDULER).build();

        assertThat(limiter.isExact()).isFalse();
        assertThat(limiter.limit()).isEqualTo(Integer.MAX_VALUE);
        assertThat(limiter.tryAcquire(Integer.MAX_VALUE)).isTrue();
        assertThat(limiter.tryAcquire()).isFalse();
    }
}
