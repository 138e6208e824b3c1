package dev.bulwark.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.bulwark.FailureClassifier;
import dev.bulwark.Verdict;
import dev.bulwark.breaker.CircuitBreaker;
import dev.bulwark.bulkhead.Bulkhead;
import dev.bulwark.bulkhead.BulkheadConfig;
import dev.bulwark.grpc.internal.CommittedCallException;
import dev.bulwark.grpc.internal.RemoteCancellationException;
import dev.bulwark.ratelimit.TokenBucket;
import dev.bulwark.retry.Backoff;
import dev.bulwark.retry.RetriesExhaustedException;
import dev.bulwark.retry.Retry;
import dev.bulwark.timeout.CallTimeoutException;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** What status codes mean to Bulwark's policies, and Bulwark's rejections as statuses. */
class GrpcStatusesTest {
    private final FailureClassifier classifier = GrpcStatuses.classifier();

    private static StatusRuntimeException status(Status.Code code) {
        return Status.fromCode(code).withDescription("from the server").asRuntimeException();
    }

    @ParameterizedTest
    @EnumSource(Status.Code.class)
    void everyCodeHasTheDocumentedVerdict(Status.Code code) {
        Verdict expected = switch (code) {
            case OK -> Verdict.SUCCESS;
            case UNAVAILABLE, RESOURCE_EXHAUSTED, DEADLINE_EXCEEDED -> Verdict.FAILURE;
            case INTERNAL, UNKNOWN, DATA_LOSS, UNIMPLEMENTED -> Verdict.PERMANENT_FAILURE;
            default -> Verdict.IGNORED;
        };
        if (code != Status.Code.OK) {
            assertThat(classifier.classifyError(status(code))).isEqualTo(expected);
            assertThat(classifier.classifyError(new CompletionException(status(code)))).as("wrapped").isEqualTo(expected);
        }
        assertThat(classifier.isTimeout(status(code))).isEqualTo(code == Status.Code.DEADLINE_EXCEEDED);
    }

    @Test
    void overridesChangeOnlyTheirCodes() {
        FailureClassifier retryAborts = GrpcStatuses.classifier(Map.of(Status.Code.ABORTED, Verdict.FAILURE));
        assertThat(retryAborts.classifyError(status(Status.Code.ABORTED))).isEqualTo(Verdict.FAILURE);
        assertThat(retryAborts.classifyError(status(Status.Code.NOT_FOUND))).isEqualTo(Verdict.IGNORED);
    }

    @Test
    void aServerAskingNotToBeRetriedMakesAFailurePermanent() {
        Metadata trailers = new Metadata();
        trailers.put(GrpcStatuses.RETRY_PUSHBACK, "-1");
        assertThat(classifier.classifyError(Status.UNAVAILABLE.asRuntimeException(trailers))).isEqualTo(Verdict.PERMANENT_FAILURE);
        trailers = new Metadata();
        trailers.put(GrpcStatuses.RETRY_PUSHBACK, "soon");
        assertThat(classifier.classifyError(Status.UNAVAILABLE.asRuntimeException(trailers))).as("malformed: do not retry")
                .isEqualTo(Verdict.PERMANENT_FAILURE);
        trailers = new Metadata();
        trailers.put(GrpcStatuses.RETRY_PUSHBACK, "250");
        StatusRuntimeException pushedBack = Status.RESOURCE_EXHAUSTED.asRuntimeException(trailers);
        assertThat(classifier.classifyError(pushedBack)).isEqualTo(Verdict.FAILURE);
        assertThat(GrpcStatuses.pushback().delayNanos(null, pushedBack)).isEqualTo(250_000_000L);
        assertThat(GrpcStatuses.pushback().delayNanos(null, status(Status.Code.UNAVAILABLE))).isNegative();
    }

    @Test
    void aFailureAfterRepliesIsPermanentAndARemoteCancellationIsRetriable() {
        assertThat(classifier.classifyError(new CommittedCallException(status(Status.Code.UNAVAILABLE))))
                .isEqualTo(Verdict.PERMANENT_FAILURE);
        assertThat(classifier.classifyError(new CommittedCallException(status(Status.Code.INVALID_ARGUMENT))))
                .as("still ignored").isEqualTo(Verdict.IGNORED);
        assertThat(FailureClassifier.defaults().classifyError(new CommittedCallException(status(Status.Code.UNAVAILABLE))))
                .as("marked Permanent for classifiers that do not know it").isEqualTo(Verdict.PERMANENT_FAILURE);
        assertThat(classifier.classifyError(new RemoteCancellationException(status(Status.Code.CANCELLED))))
                .isEqualTo(Verdict.FAILURE);
        assertThat(classifier.classifyError(status(Status.Code.CANCELLED))).as("the caller's own").isEqualTo(Verdict.IGNORED);
        assertThat(GrpcStatuses.toStatus(new RemoteCancellationException(status(Status.Code.CANCELLED))).getCode())
                .as("the caller still sees what happened").isEqualTo(Status.Code.CANCELLED);
    }

    @Test
    void rejectionsBecomeStatusesNamingThePolicy() {
        CircuitBreaker breaker = CircuitBreaker.builder("grpc:users/Get").consecutiveFailures(1).build();
        breaker.forceOpen();
        Status open = GrpcStatuses.toStatus(breaker.rejection());
        assertThat(open.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(open.getDescription()).contains("grpc:users/Get");

        TokenBucket bucket = TokenBucket.builder("client-rate").permitsPerSecond(1).burst(1).build();
        Status limited = GrpcStatuses.toStatus(bucket.rejection());
        assertThat(limited.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
        assertThat(limited.getDescription()).contains("client-rate");
        Bulkhead full = Bulkhead.of("client-bulkhead", BulkheadConfig.of(1));
        assertThat(GrpcStatuses.toStatus(full.rejection(java.time.Duration.ZERO)).getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);

        StatusRuntimeException last = status(Status.Code.UNAVAILABLE);
        Retry retry = Retry.builder("r").maxAttempts(3).backoff(Backoff.none()).classifier(classifier).build();
        Throwable gaveUp = catchThrowable(() -> retry.call(() -> {
            throw last;
        }));
        Status exhausted = GrpcStatuses.toStatus(gaveUp);
        assertThat(exhausted.getCode()).as("the last attempt's status").isEqualTo(Status.Code.UNAVAILABLE);
        assertThat(exhausted.getDescription()).isEqualTo("from the server");
        assertThat(exhausted.getCause()).isInstanceOf(RetriesExhaustedException.class);

        assertThat(GrpcStatuses.toStatus(new CallTimeoutException("t", 5_000_000, null)).getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
        assertThat(GrpcStatuses.toStatus(new CancellationException("gone")).getCode()).isEqualTo(Status.Code.CANCELLED);
        assertThat(GrpcStatuses.toStatus(new IllegalStateException("bug")).getCode()).isEqualTo(Status.Code.UNKNOWN);
    }
}
