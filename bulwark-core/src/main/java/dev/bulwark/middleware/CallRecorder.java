package dev.bulwark.middleware;

/**
 * Where the metrics middleware reports each call. Core knows no metrics library: bulwark-micrometer
 * implements this on a {@code MeterRegistry}. Implementations must be thread-safe and cheap.
 */
@FunctionalInterface
public interface CallRecorder {

    /**
     * One call finished.
     *
     * @param pool the pool's name
     * @param endpoint the endpoint's name
     * @param error what the call threw, or {@code null} if it returned
     * @param durationNanos how long it took, middleware inside the metrics one included
     */
    void record(String pool, String endpoint, Throwable error, long durationNanos);
}
