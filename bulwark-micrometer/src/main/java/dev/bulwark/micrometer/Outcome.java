package dev.bulwark.micrometer;

import dev.bulwark.RejectedException;
import dev.bulwark.Verdict;

/** How a call ended, as the {@code outcome} tag says it. */
enum Outcome {
    SUCCESS("success"),
    FAILURE("failure"),
    /** The call was not run: a {@link RejectedException} (breaker open, rate limited, bulkhead full, ...). */
    REJECTED("rejected");

    static final String TAG = "outcome";

    final String tag;

    Outcome(String tag) {
        this.tag = tag;
    }

    /**
     * The outcome of a call that threw {@code error} ({@code null} if it returned), judged
     * {@code verdict}: a returned result judged a failure (an HTTP 503) is a failure. Allocation-free.
     */
    static Outcome of(Verdict verdict, Throwable error) {
        if (error == null) {
            return verdict.isFailure() ? FAILURE : SUCCESS;
        }
        // Look through the same wrappers as the failure classifier, so a rejection carried out of a
        // Callable or a future is still a rejection.
        Throwable cause = dev.bulwark.internal.Errors.unwrap(error);
        return cause instanceof RejectedException ? REJECTED : FAILURE;
    }
}
