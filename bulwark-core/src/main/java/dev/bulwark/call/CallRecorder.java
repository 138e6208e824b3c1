package dev.bulwark.call;

import dev.bulwark.Verdict;

/**
 * Where the {@linkplain Stages#metrics metrics stage} reports each call. Core knows no metrics
 * library: bulwark-micrometer implements this on a {@code MeterRegistry}. Implementations must be
 * thread-safe and cheap.
 */
@FunctionalInterface
public interface CallRecorder {

    /**
     * One call (or, inside a retry, one attempt) finished.
     *
     * @param chain the pool's or pipeline's name
     * @param endpoint the endpoint's name, empty before the pick or without one
     * @param verdict the chain's classifier's judgement: a returned HTTP 503 can be a failure
     * @param error what the call threw, or {@code null} if it returned
     * @param durationNanos how long it took, the stages inside the metrics one included
     */
    void record(String chain, String endpoint, Verdict verdict, Throwable error, long durationNanos);
}
