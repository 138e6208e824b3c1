package dev.bulwark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.breaker.BreakerOpenException;
import dev.bulwark.breaker.CircuitBreaker;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;

class FailureClassifierTest {

    @Test
    void defaultsCountEveryExceptionAsAFailureAndEveryResultAsSuccess() {
        FailureClassifier c = FailureClassifier.defaults();
        assertThat(c.classifyResult(null)).isEqualTo(Verdict.SUCCESS);
        assertThat(c.classifyResult("503")).isEqualTo(Verdict.SUCCESS);
        assertThat(c.classifyError(new IOException())).isEqualTo(Verdict.FAILURE);
        assertThat(c.classifyError(new PermanentException("bad id"))).isEqualTo(Verdict.PERMANENT_FAILURE);
    }

    @Test
    void rejectionsAreNeverFailuresOfTheCalledService() {
        CircuitBreaker open = CircuitBreaker.builder("b").consecutiveFailures(1).build();
        open.forceOpen();
        BreakerOpenException rejection = open.rejection();
        assertThat(FailureClassifier.defaults().classifyError(rejection)).isEqualTo(Verdict.IGNORED);
    }

    @Test
    void rulesApplyInOrderIgnoredThenPermanentThenFailOn() {
        FailureClassifier c = FailureClassifier.builder()
                .ignore(FileNotFoundException.class)
                .permanent(IOException.class)
                .failOn(IllegalStateException.class, IOException.class)
                .build();
        assertThat(c.classifyError(new FileNotFoundException())).as("ignored beats permanent").isEqualTo(Verdict.IGNORED);
        assertThat(c.classifyError(new IOException())).as("permanent beats failOn").isEqualTo(Verdict.PERMANENT_FAILURE);
        assertThat(c.classifyError(new IllegalStateException())).isEqualTo(Verdict.FAILURE);
        assertThat(c.classifyError(new ArithmeticException())).as("outside failOn: not counted").isEqualTo(Verdict.IGNORED);
    }

    @Test
    void wrappersAreJudgedByTheirCause() {
        FailureClassifier c = FailureClassifier.builder().ignore(CancellationException.class).build();
        assertThat(c.classifyError(new CompletionException(new CancellationException()))).isEqualTo(Verdict.IGNORED);
        assertThat(c.classifyError(new CallFailedException(new CancellationException()))).isEqualTo(Verdict.IGNORED);
        assertThat(c.classifyError(new RuntimeException(new PermanentException("no"))))
                .as("a Permanent marker anywhere in the cause chain").isEqualTo(Verdict.PERMANENT_FAILURE);
    }

    @Test
    void resultsCanBeFailures() {
        FailureClassifier c = FailureClassifier.builder().failOnResult(r -> r instanceof Integer status && status >= 500).build();
        assertThat(c.classifyResult(503)).isEqualTo(Verdict.FAILURE);
        assertThat(c.classifyResult(200)).isEqualTo(Verdict.SUCCESS);
        assertThat(Verdict.PERMANENT_FAILURE.isFailure()).isTrue();
        assertThat(Verdict.IGNORED.isFailure()).isFalse();
    }

    /** A transport judges by what an error says: a status code inside one exception type. */
    static final class StatusError extends RuntimeException {
        final int code;

        StatusError(int code) {
            super("status " + code);
            this.code = code;
        }
    }

    @Test
    void anErrorRuleJudgesBeforeTheTypeListsAndMayLeaveAnErrorToThem() {
        FailureClassifier c = FailureClassifier.builder()
                .errorRule(e -> e instanceof StatusError s ? (s.code == 3 ? Verdict.IGNORED : s.code == 14 ? Verdict.FAILURE : null) : null)
                .permanent(StatusError.class)
                .timeoutWhen(e -> e instanceof StatusError s && s.code == 4)
                .build();
        assertThat(c.classifyError(new StatusError(3))).isEqualTo(Verdict.IGNORED);
        assertThat(c.classifyError(new CompletionException(new StatusError(14)))).as("unwrapped first").isEqualTo(Verdict.FAILURE);
        assertThat(c.classifyError(new StatusError(13))).as("no opinion: the type lists decide").isEqualTo(Verdict.PERMANENT_FAILURE);
        assertThat(c.classifyError(new BreakerOpenLike())).as("own rejections are ignored before the rule").isEqualTo(Verdict.IGNORED);
        assertThat(c.isTimeout(new StatusError(4))).isTrue();
        assertThat(c.isTimeout(new StatusError(14))).isFalse();
        assertThat(c.isTimeout(new java.util.concurrent.TimeoutException())).as("the types still count").isTrue();
    }

    static final class BreakerOpenLike extends RejectedException {
        BreakerOpenLike() {
            super("test", "always");
        }
    }
}
