package dev.bulwark.fallback;

import static dev.bulwark.validation.BadInput.bad;
import dev.bulwark.validation.BadInput;

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


    @ParameterizedTest(name = "{0} = {1}")
    @MethodSource("badInputs")
    void rejectsWithFieldValueAndWhatIsAllowed(String field, String value, ThrowingCallable call) {
        BadInput.assertRejected(field, value, call);
    }
}
