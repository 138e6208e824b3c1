package dev.bulwark.grpc;

import dev.bulwark.FailureClassifier;
import dev.bulwark.RejectedException;
import dev.bulwark.Verdict;
import dev.bulwark.breaker.BreakerOpenException;
import dev.bulwark.grpc.internal.CommittedCallException;
import dev.bulwark.grpc.internal.RemoteCancellationException;
import dev.bulwark.internal.Errors;
import dev.bulwark.retry.DelayHint;
import dev.bulwark.retry.RetriesExhaustedException;
import dev.bulwark.timeout.CallTimeoutException;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusException;
import io.grpc.StatusRuntimeException;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;

/**
 * What gRPC status codes mean to Bulwark's policies, and what Bulwark's rejections mean as gRPC
 * statuses. One {@link FailureClassifier} judges every gRPC outcome for the endpoint breakers, the
 * method breakers and retry alike:
 *
 * <table>
 * <caption>Default verdicts</caption>
 * <tr><th>codes</th><th>verdict</th><th>meaning</th></tr>
 * <tr><td>UNAVAILABLE, RESOURCE_EXHAUSTED, DEADLINE_EXCEEDED</td><td>FAILURE</td>
 *     <td>breakers count it, retry may try again (on another endpoint)</td></tr>
 * <tr><td>INTERNAL, UNKNOWN, DATA_LOSS, UNIMPLEMENTED</td><td>PERMANENT_FAILURE</td>
 *     <td>breakers count it (the server is broken or misdeployed), retry does not</td></tr>
 * <tr><td>every other code (INVALID_ARGUMENT, NOT_FOUND, PERMISSION_DENIED, CANCELLED, ...)</td><td>IGNORED</td>
 *     <td>the server answered as designed, or the caller gave up: not counted, not retried</td></tr>
 * </table>
 *
 * A CANCELLED status the caller did not cause (a server shutting down at once ends its calls so)
 * is judged as UNAVAILABLE. A failure whose trailers carry a negative or malformed {@code grpc-retry-pushback-ms} is
 * permanent: the server asked not to be retried. A positive pushback is a delay the retry honours
 * ({@link #pushback()}).
 */
public final class GrpcStatuses {
    /** The trailer by which a server asks a client to wait before retrying (gRFC A6). */
    public static final Metadata.Key<String> RETRY_PUSHBACK = Metadata.Key.of("grpc-retry-pushback-ms", Metadata.ASCII_STRING_MARSHALLER);

    private static final FailureClassifier DEFAULT = classifier(Map.of());
    private static final DelayHint PUSHBACK = (result, error) -> {
        Metadata trailers = error == null ? null : trailersOf(error);
        String value = trailers == null ? null : trailers.get(RETRY_PUSHBACK);
        long millis = parsePushback(value);
        return millis < 0 ? -1 : TimeUnit.MILLISECONDS.toNanos(millis);
    };

    private GrpcStatuses() {
    }

    /** The classifier with the default verdicts above. */
    public static FailureClassifier classifier() {
        return DEFAULT;
    }

    /**
     * The default verdicts with {@code overrides} applied: for instance
     * {@code Map.of(Status.Code.ABORTED, Verdict.FAILURE)} to retry optimistic-concurrency aborts.
     */
    public static FailureClassifier classifier(Map<Status.Code, Verdict> overrides) {
        EnumMap<Status.Code, Verdict> verdicts = new EnumMap<>(Status.Code.class);
        for (Status.Code code : Status.Code.values()) {
            verdicts.put(code, defaultVerdict(code));
        }
        overrides.forEach((code, verdict) -> verdicts.put(
                dev.bulwark.internal.Check.notNull("code", code), dev.bulwark.internal.Check.notNull("verdict of " + code, verdict)));
        return FailureClassifier.builder()
                .errorRule(error -> verdictOf(error, verdicts))
                .timeoutWhen(error -> statusOf(error) != null && statusOf(error).getCode() == Status.Code.DEADLINE_EXCEEDED)
                .build();
    }

    /** The default verdict for {@code code}. */
    public static Verdict defaultVerdict(Status.Code code) {
        return switch (code) {
            case OK -> Verdict.SUCCESS;
            case UNAVAILABLE, RESOURCE_EXHAUSTED, DEADLINE_EXCEEDED -> Verdict.FAILURE;
            case INTERNAL, UNKNOWN, DATA_LOSS, UNIMPLEMENTED -> Verdict.PERMANENT_FAILURE;
            default -> Verdict.IGNORED;
        };
    }

    /**
     * A retry delay hint that honours a server's {@code grpc-retry-pushback-ms}: the retry waits at
     * least that long. Bulwark channels add it to their retry themselves.
     */
    public static DelayHint pushback() {
        return PUSHBACK;
    }

    /**
     * The status a failed protected call ends with: a gRPC error's own status (after retries, the
     * last attempt's); {@code UNAVAILABLE} for an open breaker; {@code RESOURCE_EXHAUSTED} for
     * other rejections (rate limit, full bulkhead); {@code DEADLINE_EXCEEDED} for a Bulwark
     * timeout; {@code CANCELLED} for a cancellation. The Bulwark exception is the status's cause.
     */
    public static Status toStatus(Throwable error) {
        Throwable e = Errors.unwrap(error);
        Status status = statusOf(e);
        if (status != null) {
            return e instanceof RetriesExhaustedException || e instanceof CommittedCallException
                    || e instanceof RemoteCancellationException ? status.withCause(e) : status;
        }
        if (e instanceof BreakerOpenException) {
            return Status.UNAVAILABLE.withDescription(e.getMessage()).withCause(e);
        }
        if (e instanceof RejectedException) {
            return Status.RESOURCE_EXHAUSTED.withDescription(e.getMessage()).withCause(e);
        }
        if (e instanceof CallTimeoutException) {
            return Status.DEADLINE_EXCEEDED.withDescription(e.getMessage()).withCause(e);
        }
        if (e instanceof CancellationException) {
            return Status.CANCELLED.withDescription(e.getMessage()).withCause(e);
        }
        return Status.fromThrowable(e);
    }

    /** The trailers {@code error} carries (after retries, the last attempt's), or {@code null}. */
    public static Metadata trailersOf(Throwable error) {
        for (Throwable e = error; e != null; e = e.getCause()) {
            if (e instanceof StatusRuntimeException sre) {
                return sre.getTrailers();
            }
            if (e instanceof StatusException se) {
                return se.getTrailers();
            }
        }
        return null;
    }

    /** The gRPC status in {@code error}'s cause chain, or {@code null} when it holds none. */
    static Status statusOf(Throwable error) {
        for (Throwable e = error; e != null; e = e.getCause()) {
            if (e instanceof StatusRuntimeException sre) {
                return sre.getStatus();
            }
            if (e instanceof StatusException se) {
                return se.getStatus();
            }
        }
        return null;
    }

    private static Verdict verdictOf(Throwable error, Map<Status.Code, Verdict> verdicts) {
        Status status = statusOf(error);
        if (status == null) {
            return null;
        }
        Verdict verdict = error instanceof RemoteCancellationException
                ? verdicts.get(Status.Code.UNAVAILABLE) : verdicts.get(status.getCode());
        if (verdict == Verdict.FAILURE) {
            if (error instanceof CommittedCallException) {
                return Verdict.PERMANENT_FAILURE; // replies already reached the caller: nothing left to retry
            }
            Metadata trailers = trailersOf(error);
            if (trailers != null && trailers.containsKey(RETRY_PUSHBACK) && parsePushback(trailers.get(RETRY_PUSHBACK)) < 0) {
                return Verdict.PERMANENT_FAILURE; // the server asked not to be retried
            }
        }
        return verdict;
    }

    /** Milliseconds, or -1 for a value that is negative or not a number (gRFC A6: do not retry). */
    private static long parsePushback(String value) {
        if (value == null) {
            return -1;
        }
        try {
            long millis = Long.parseLong(value.trim());
            return millis < 0 ? -1 : millis;
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
