package dev.bulwark.fallback;

import static dev.bulwark.validation.BadInput.bad;
import dev.bulwark.validation.BadInput;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** StaleCache.Builder rejects bad values naming the field, the value and what is allowed. */
class StaleCacheBuilderBadInputTest {

    private static StaleCache.Builder<String, String> builder() {
        return StaleCache.builder("sc");
    }

    static Stream<Arguments> badInputs() {
        return Stream.of(
                bad("name", "null", () -> StaleCache.builder(null)),
                bad("name", "\"   \"", () -> StaleCache.builder("   ")),
                bad("maxStaleness", "PT0S", () -> builder().maxStaleness(Duration.ZERO)),
                bad("maxStaleness", "PT-5M", () -> builder().maxStaleness(Duration.ofMinutes(-5))),
                bad("maxStaleness", "null", () -> builder().maxStaleness(null)),
                bad("maxStaleness", "null", () -> builder().build()),
                bad("maxStaleness", "null", () -> builder().freshFor(Duration.ofSeconds(1)).build()),
                bad("freshFor", "PT-1S", () -> builder().freshFor(Duration.ofSeconds(-1))),
                bad("freshFor", "null", () -> builder().freshFor(null)),
                bad("freshFor", "PT10M", () -> builder().maxStaleness(Duration.ofMinutes(5)).freshFor(Duration.ofMinutes(10)).build()),
                bad("maxEntries", "0", () -> builder().maxEntries(0)),
                bad("maxEntries", "-1", () -> builder().maxEntries(-1)),
                bad("when", "null", () -> builder().when(null)),
                bad("ticker", "null", () -> builder().ticker(null)),
                bad("executor", "null", () -> builder().executor(null)),
                bad("key", "null", () -> builder().maxStaleness(Duration.ofMinutes(1)).build().call(null, () -> "v")),
                bad("key", "null", () -> builder().maxStaleness(Duration.ofMinutes(1)).build().remember(null, "v")));
    }


    @ParameterizedTest(name = "{0} = {1}")
    @MethodSource("badInputs")
    void rejectsWithFieldValueAndWhatIsAllowed(String field, String value, ThrowingCallable call) {
        BadInput.assertRejected(field, value, call);
    }

    @Test
    void freshForTooLongNamesMaxStalenessInWhatIsAllowed() {
        assertThatThrownBy(() -> builder().maxStaleness(Duration.ofMinutes(5)).freshFor(Duration.ofMinutes(10)).build())
                .hasMessageContaining("maxStaleness (PT5M)");
    }

    @Test
    void freshForEqualToMaxStalenessIsAllowed() {
        StaleCache<String, String> cache = builder().maxStaleness(Duration.ofMinutes(5)).freshFor(Duration.ofMinutes(5)).build();

        assertThat(cache.call("k", () -> "v")).isEqualTo("v");
    }
}
