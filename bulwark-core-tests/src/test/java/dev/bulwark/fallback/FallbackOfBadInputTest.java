package dev.bulwark.fallback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.InvalidConfigException;
import java.util.function.Function;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Fallback.of and when reject null naming the field, the value and what is allowed. */
class FallbackOfBadInputTest {

    static Stream<Arguments> badInputs() {
        return Stream.of(
                bad("handler", "null", () -> Fallback.of((Function<Throwable, String>) null)),
                bad("when", "null", () -> Fallback.value("x").when(null)),
                bad("when", "null", () -> Fallback.of(e -> "x").when(e -> true).when(null)));
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
