package dev.bulwark.validation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.InvalidConfigException;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.params.provider.Arguments;

/**
 * The shared check of the bad-input tests: a rejected value fails at once with an
 * {@link InvalidConfigException} whose message reads {@code "<field> = <value>: allowed is <what>"}.
 */
public final class BadInput {
    private BadInput() {
    }

    /** One case for a {@code @MethodSource}: {@code call} must reject {@code value} of {@code field}. */
    public static Arguments bad(String field, String value, ThrowingCallable call) {
        return Arguments.of(field, value, call);
    }

    public static void assertRejected(String field, String value, ThrowingCallable call) {
        assertThatThrownBy(call)
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> {
                    assertThat(e.field()).isEqualTo(field);
                    assertThat(e.value()).isEqualTo(value);
                    assertThat(e.allowed()).isNotBlank();
                })
                .hasMessageStartingWith(field + " = " + value + ": allowed is ");
    }
}
