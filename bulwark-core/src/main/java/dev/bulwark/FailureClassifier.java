package dev.bulwark;

import dev.bulwark.internal.Check;
import dev.bulwark.internal.Errors;
import dev.bulwark.timeout.CallTimeoutException;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Decides once, for every policy, what an outcome means: success, failure, permanent failure, or
 * ignored. The breaker counts failures, retry retries failures but never permanent ones, and
 * outlier detection sees the same verdicts, so the rules cannot drift apart.
 *
 * <p>Rules are checked in this order: the error rule (a transport's status codes, say), ignored
 * exceptions, permanent exceptions (and anything marked {@link Permanent}), failure exceptions,
 * failure results. By default every exception is a failure
 * and every result a success; {@link RejectedException}s are never counted as failures of the
 * called service, since the call did not run. Apart from the verdict, the classifier tells which
 * errors are timeouts ({@link #isTimeout}), for the breaker's timeout-rate rule: by default
 * Bulwark's {@code CallTimeoutException}, {@link TimeoutException} and {@link SocketTimeoutException}.
 *
 * <pre>{@code
 * FailureClassifier classifier = FailureClassifier.builder()
 *     .ignore(CancellationException.class)
 *     .permanent(IllegalArgumentException.class)
 *     .failOnResult(r -> r instanceof HttpResponse<?> resp && resp.statusCode() >= 500)
 *     .build();
 * }</pre>
 */
public final class FailureClassifier {
    private static final FailureClassifier DEFAULT = builder().build();

    private final Class<? extends Throwable>[] ignored;
    private final Class<? extends Throwable>[] permanent;
    private final Class<? extends Throwable>[] failures;
    private final Predicate<Object> failedResult;
    private final Class<? extends Throwable>[] timeouts;
    private final Function<? super Throwable, Verdict> errorRule;
    private final Predicate<? super Throwable> timeoutWhen;

    private FailureClassifier(Builder b) {
        this.timeouts = toArray(b.timeouts);
        this.errorRule = b.errorRule;
        this.timeoutWhen = b.timeoutWhen;
        this.ignored = toArray(b.ignored);
        this.permanent = toArray(b.permanent);
        this.failures = b.failures.isEmpty() ? null : toArray(b.failures);
        this.failedResult = b.failedResult;
    }

    /** Every exception is a failure (rejections are ignored), every result a success. */
    public static FailureClassifier defaults() {
        return DEFAULT;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * Classifies an outcome: {@code error} is the exception thrown, or {@code null} if the call
     * returned {@code result}. Allocation-free.
     */
    public Verdict classify(Object result, Throwable error) {
        if (error == null) {
            return failedResult != null && failedResult.test(result) ? Verdict.FAILURE : Verdict.SUCCESS;
        }
        Throwable cause = unwrap(error);
        if (cause instanceof RejectedException) {
            return Verdict.IGNORED;
        }
        if (errorRule != null) {
            Verdict ruled = errorRule.apply(cause);
            if (ruled != null) {
                return ruled;
            }
        }
        if (matches(ignored, cause)) {
            return Verdict.IGNORED;
        }
        if (matches(permanent, cause) || PermanentException.isPermanent(error)) {
            return Verdict.PERMANENT_FAILURE;
        }
        if (failures == null || matches(failures, cause)) {
            return Verdict.FAILURE;
        }
        return Verdict.IGNORED;
    }

    /** Whether {@code error} (or the cause it wraps) is a timeout: the call was cut off, not answered. */
    public boolean isTimeout(Throwable error) {
        if (error == null) {
            return false;
        }
        Throwable cause = unwrap(error);
        return matches(timeouts, cause) || (timeoutWhen != null && timeoutWhen.test(cause));
    }

    /** Classifies a result the call returned normally. */
    public Verdict classifyResult(Object result) {
        return classify(result, null);
    }

    /** Classifies an exception the call threw. */
    public Verdict classifyError(Throwable error) {
        return classify(null, error);
    }

    // Checked exceptions reach policies wrapped by CallFailedException or CompletionException; judge the cause.
    private static Throwable unwrap(Throwable error) {
        return Errors.unwrap(error);
    }

    private static boolean matches(Class<? extends Throwable>[] types, Throwable error) {
        for (Class<? extends Throwable> type : types) {
            if (type.isInstance(error)) {
                return true;
            }
        }
        return false;
    }

    @SuppressWarnings("unchecked")
    private static Class<? extends Throwable>[] toArray(List<Class<? extends Throwable>> list) {
        return list.toArray(new Class[0]);
    }

    /** Builds a {@link FailureClassifier}. */
    public static final class Builder {
        private final List<Class<? extends Throwable>> ignored = new ArrayList<>();
        private final List<Class<? extends Throwable>> permanent = new ArrayList<>();
        private final List<Class<? extends Throwable>> failures = new ArrayList<>();
        private Predicate<Object> failedResult;
        private Function<? super Throwable, Verdict> errorRule;
        private Predicate<? super Throwable> timeoutWhen;
        private final List<Class<? extends Throwable>> timeouts = new ArrayList<>(
                List.of(CallTimeoutException.class, TimeoutException.class, SocketTimeoutException.class));

        private Builder() {
        }

        /** Exceptions of these types are also timeouts (a transport's own, such as an HTTP client's). */
        @SafeVarargs
        public final Builder timeoutOn(Class<? extends Throwable>... types) {
            addAll("timeoutOn", timeouts, types);
            return this;
        }

        /**
         * Judges errors before the type lists: {@code rule} returns a verdict, or {@code null} to
         * leave the error to the lists. This is how a transport classifies by what an error says
         * rather than its type (gRPC's status codes, say); it sees the error unwrapped. Rejections
         * by Bulwark's own policies are ignored before the rule is asked.
         */
        public Builder errorRule(Function<? super Throwable, Verdict> rule) {
            this.errorRule = Check.notNull("errorRule", rule);
            return this;
        }

        /** Errors matching {@code predicate} (unwrapped) are also timeouts, beside the types given to {@link #timeoutOn}. */
        public Builder timeoutWhen(Predicate<? super Throwable> predicate) {
            this.timeoutWhen = Check.notNull("timeoutWhen", predicate);
            return this;
        }

        /** Exceptions of these types (and subtypes) are neither successes nor failures. */
        @SafeVarargs
        public final Builder ignore(Class<? extends Throwable>... types) {
            addAll("ignore", ignored, types);
            return this;
        }

        /** Exceptions of these types are failures that retrying cannot fix. */
        @SafeVarargs
        public final Builder permanent(Class<? extends Throwable>... types) {
            addAll("permanent", permanent, types);
            return this;
        }

        /**
         * Only exceptions of these types are failures; others are ignored. Without this call every
         * exception not ignored is a failure.
         */
        @SafeVarargs
        public final Builder failOn(Class<? extends Throwable>... types) {
            addAll("failOn", failures, types);
            return this;
        }

        /** Results matching {@code predicate} are failures, e.g. an HTTP 503 response. */
        @SuppressWarnings("unchecked")
        public Builder failOnResult(Predicate<?> predicate) {
            this.failedResult = (Predicate<Object>) Check.notNull("failOnResult", predicate);
            return this;
        }

        public FailureClassifier build() {
            return new FailureClassifier(this);
        }

        private static void addAll(String field, List<Class<? extends Throwable>> into, Class<? extends Throwable>[] types) {
            Check.notNull(field, types);
            for (Class<? extends Throwable> type : types) {
                into.add(Check.notNull(field, type));
            }
        }
    }
}
