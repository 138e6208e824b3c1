package dev.bulwark.bulkhead;

import static dev.bulwark.validation.BadInput.bad;
import dev.bulwark.validation.BadInput;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.InvalidConfigException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** WorkerPool.Builder and the pool's methods reject bad values naming the field, the value and what is allowed. */
class WorkerPoolBuilderBadInputTest {
    private static final List<WorkerPool> POOLS = new CopyOnWriteArrayList<>();

    private static WorkerPool pool() {
        WorkerPool pool = WorkerPool.builder("wp").workers(1).queueCapacity(1).build();
        POOLS.add(pool);
        return pool;
    }

    @AfterAll
    static void closePools() {
        for (WorkerPool pool : POOLS) {
            pool.closeNow();
            assertThat(pool.close(Duration.ofSeconds(10))).isTrue();
        }
    }

    static Stream<Arguments> badInputs() {
        return Stream.of(
                bad("name", "null", () -> WorkerPool.builder(null)),
                bad("name", "\"  \"", () -> WorkerPool.builder("  ")),
                bad("workers", "0", () -> WorkerPool.builder("wp").workers(0)),
                bad("workers", "-1", () -> WorkerPool.builder("wp").workers(-1)),
                bad("workers", "10001", () -> WorkerPool.builder("wp").workers(10_001)),
                bad("queueCapacity", "-1", () -> WorkerPool.builder("wp").queueCapacity(-1)),
                bad("queueCapacity", "10000001", () -> WorkerPool.builder("wp").queueCapacity(10_000_001)),
                bad("task", "null", () -> pool().submit(null)),
                bad("task", "null", () -> pool().submit(null, Duration.ofSeconds(1))),
                bad("maxWait", "PT-0.001S", () -> pool().submit(() -> 1, Duration.ofMillis(-1))),
                bad("maxWait", "null", () -> pool().submit(() -> 1, null)),
                bad("timeout", "PT-1S", () -> pool().close(Duration.ofSeconds(-1))),
                bad("timeout", "null", () -> pool().close(null)));
    }


    @ParameterizedTest(name = "{0} = {1}")
    @MethodSource("badInputs")
    void rejectsWithFieldValueAndWhatIsAllowed(String field, String value, ThrowingCallable call) {
        BadInput.assertRejected(field, value, call);
    }

    @Test
    void aRejectedSubmitCountsNoRejectionAndLeavesThePoolWorking() throws Exception {
        WorkerPool pool = pool();

        assertThatThrownBy(() -> pool.submit(null)).isInstanceOf(InvalidConfigException.class);
        assertThatThrownBy(() -> pool.submit(() -> 1, Duration.ofMillis(-1))).isInstanceOf(InvalidConfigException.class);

        assertThat(pool.rejected()).isZero();
        assertThat(pool.submit(() -> 42).get(10, TimeUnit.SECONDS)).isEqualTo(42);
    }

    /** A close with a bad timeout is refused without effect: the pool stays open. */
    @Test
    void aRejectedCloseLeavesThePoolOpen() throws Exception {
        WorkerPool pool = pool();

        assertThatThrownBy(() -> pool.close(Duration.ofSeconds(-1))).isInstanceOf(InvalidConfigException.class);

        assertThat(pool.submit(() -> 42).get(10, TimeUnit.SECONDS)).isEqualTo(42);
    }

    @Test
    void theEdgesOfTheAllowedRangesAreAccepted() {
        WorkerPool pool = WorkerPool.builder("edge").workers(1).queueCapacity(0).build();
        POOLS.add(pool);

        assertThat(pool.toString()).contains("workers=1").contains("/0");
    }
}
