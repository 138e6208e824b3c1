package dev.bulwark.http;

import dev.bulwark.FailureClassifier;
import dev.bulwark.Verdict;
import dev.bulwark.http.internal.InstanceBusyException;
import dev.bulwark.http.internal.NotRetriedException;
import dev.bulwark.http.internal.ResponseTooLargeException;
import dev.bulwark.internal.Check;
import dev.bulwark.retry.DelayHint;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * What HTTP outcomes mean to Bulwark's policies, judged once for the instance breakers, the
 * service breaker and retry:
 *
 * <ul>
 * <li>429, 502, 503 and 504, a refused or reset connection, a timeout: failures, retried;
 * <li>other 5xx: failures the instance's breaker counts, not retried;
 * <li>other 4xx: the service answered as designed: neither counted nor retried;
 * <li>a response over the size limit: permanent.
 * </ul>
 * A request that is not safe to repeat (a POST without an {@code Idempotency-Key}) is retried only
 * when it surely never reached a server: its connection was refused.
 */
public final class HttpStatuses {
    private static final FailureClassifier BREAKERS = classifier(false);
    private static final FailureClassifier RETRY = classifier(true);

    private HttpStatuses() {
    }

    /** The classifier for breakers (and whatever else judges outcomes). */
    public static FailureClassifier classifier() {
        return BREAKERS;
    }

    /** The classifier retry uses: as {@link #classifier()}, and an instance too busy to take the call is tried elsewhere. */
    static FailureClassifier retryClassifier() {
        return RETRY;
    }

    /** The default verdict for a status of 400 or above. */
    public static Verdict verdict(int status) {
        if (status == 429 || status == 502 || status == 503 || status == 504) {
            return Verdict.FAILURE;
        }
        if (status >= 500) {
            return Verdict.PERMANENT_FAILURE;
        }
        return status >= 400 ? Verdict.IGNORED : Verdict.SUCCESS;
    }

    /**
     * A retry delay hint honouring {@code Retry-After} (seconds, or an HTTP date) on 429 and 503
     * answers, at most {@code cap}.
     */
    public static DelayHint retryAfter(Duration cap) {
        long capNanos = Check.nanos(Check.positive("retryAfterCap", cap));
        return (result, error) -> {
            for (Throwable e = error; e != null; e = e.getCause()) {
                if (e instanceof HttpStatusException s && (s.status() == 429 || s.status() == 503)) {
                    return retryAfter(s).map(d -> Math.min(capNanos, Check.nanos(d))).orElse(-1L);
                }
            }
            return -1;
        };
    }

    /** The delay a {@code Retry-After} header asks for, if the answer has a readable one. */
    static Optional<Duration> retryAfter(HttpStatusException answer) {
        Optional<String> value = answer.headers() == null ? Optional.empty() : answer.headers().firstValue("Retry-After");
        if (value.isEmpty()) {
            return Optional.empty();
        }
        String v = value.get().trim();
        try {
            long seconds = Long.parseLong(v);
            return seconds < 0 ? Optional.empty() : Optional.of(Duration.ofSeconds(Math.min(seconds, 86_400)));
        } catch (NumberFormatException notSeconds) {
            try {
                Duration until = Duration.between(java.time.Instant.now(), ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME));
                return Optional.of(until.isNegative() ? Duration.ZERO : until);
            } catch (DateTimeParseException notADate) {
                return Optional.empty();
            }
        }
    }

    private static FailureClassifier classifier(boolean busyIsRetried) {
        return FailureClassifier.builder()
                .errorRule(error -> verdictOf(error, busyIsRetried))
                .timeoutWhen(error -> error instanceof HttpTimeoutException && !(error instanceof HttpConnectTimeoutException))
                .build();
    }

    private static Verdict verdictOf(Throwable error, boolean busyIsRetried) {
        if (error instanceof NotRetriedException notSafe) {
            Verdict inner = verdictOf(notSafe.getCause(), busyIsRetried);
            Verdict cause = inner != null ? inner : Verdict.FAILURE;
            return cause == Verdict.FAILURE ? Verdict.PERMANENT_FAILURE : cause;
        }
        if (error instanceof HttpStatusException status) {
            return verdict(status.status());
        }
        if (error instanceof InstanceBusyException) {
            return busyIsRetried ? Verdict.FAILURE : Verdict.IGNORED;
        }
        if (error instanceof ResponseTooLargeException) {
            return Verdict.PERMANENT_FAILURE;
        }
        if (error instanceof ConnectException || error instanceof java.io.IOException) {
            return Verdict.FAILURE;
        }
        return null;
    }
}
