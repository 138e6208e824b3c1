package dev.bulwark.bulkhead;

import static dev.bulwark.validation.BadInput.bad;
import dev.bulwark.validation.BadInput;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.InvalidConfigException;
import java.time.Duration;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** BulkheadConfig, Bulkhead.of and reconfigure reject bad values naming the field, the value and what is allowed. */
class BulkheadConfigBadInputTest {

    static Stream<Arguments> badInputs() {
        return Stream.of(
                bad("maxConcurrent", "0", () -> BulkheadConfig.of(0)),
                bad("maxConcurrent", "-1", () -> BulkheadConfig.of(-1)),
                bad("maxConcurrent", "1000001", () -> BulkheadConfig.of(1_000_001)),
                bad("maxConcurrent", "-2147483648", () -> new BulkheadConfig(Integer.MIN_VALUE, Duration.ZERO)),
                bad("maxWait", "PT-0.001S", () -> new BulkheadConfig(1, Duration.ofMillis(-1))),
                bad("maxWait", "null", () -> new BulkheadConfig(1, null)),
                bad("name", "null", () -> Bulkhead.of(null, BulkheadConfig.of(1))),
                bad("name", "\" \"", () -> Bulkhead.of(" ", BulkheadConfig.of(1))),
                bad("config", "null", () -> Bulkhead.of("b", null)),
                bad("config", "null", () -> Bulkhead.of("b", BulkheadConfig.of(1)).reconfigure(null)),
                bad("defaultConfig", "null", () -> Bulkheads.registry(null)),
                bad("config", "null", () -> Bulkheads.registry(BulkheadConfig.of(1)).configure("b", null)));
    }


    @ParameterizedTest(name = "{0} = {1}")
    @MethodSource("badInputs")
    void rejectsWithFieldValueAndWhatIsAllowed(String field, String value, ThrowingCallable call) {
        BadInput.assertRejected(field, value, call);
    }

    @Test
    void theEdgesOfTheAllowedRangeAreAccepted() {
        assertThat(BulkheadConfig.of(1).maxConcurrent()).isEqualTo(1);
        assertThat(BulkheadConfig.of(1_000_000).maxConcurrent()).isEqualTo(1_000_000);
        assertThat(new BulkheadConfig(1, Duration.ZERO).maxWait()).isZero();
    }

    @Test
    void aRejectedReconfigureLeavesTheBulkheadAsItWas() {
        Bulkhead bulkhead = Bulkhead.of("b", BulkheadConfig.of(2));

        assertThatThrownBy(() -> bulkhead.reconfigure(null)).isInstanceOf(InvalidConfigException.class);

        assertThat(bulkhead.config().maxConcurrent()).isEqualTo(2);
        assertThat(bulkhead.available()).isEqualTo(2);
    }
}
