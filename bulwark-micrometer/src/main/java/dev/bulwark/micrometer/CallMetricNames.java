package dev.bulwark.micrometer;

/**
 * The meter names a {@link MicrometerCallRecorder} records under, chosen when it is built.
 *
 * <p>Micrometer names are dot-separated; each registry renders them in its own convention. The
 * Prometheus registry appends {@code _total} to counters and the base unit ({@code _seconds}) to
 * timers, so {@link #MIDDLEWARE} appears there as {@code middleware_requests_total},
 * {@code middleware_request_duration_seconds} (with {@code _bucket}, {@code _count}, {@code _sum})
 * and {@code middleware_request_errors_total}.
 */
public enum CallMetricNames {
    /** Bulwark's own names: {@code bulwark.pool.requests}, {@code bulwark.pool.request.duration}, {@code bulwark.pool.request.errors}. */
    BULWARK("bulwark.pool.requests", "bulwark.pool.request.duration", "bulwark.pool.request.errors"),

    /**
     * The names of the middleware metrics in the designs Bulwark grew from, rendered by Prometheus
     * as {@code middleware_requests_total}, {@code middleware_request_duration_seconds} and
     * {@code middleware_request_errors_total}: choose these to keep existing dashboards and alerts
     * working when moving to Bulwark.
     */
    MIDDLEWARE("middleware.requests", "middleware.request.duration", "middleware.request.errors");

    private final String requests;
    private final String duration;
    private final String errors;

    CallMetricNames(String requests, String duration, String errors) {
        this.requests = requests;
        this.duration = duration;
        this.errors = errors;
    }

    /** The counter of calls, every outcome. */
    public String requests() {
        return requests;
    }

    /** The timer (with a histogram) of call durations. */
    public String duration() {
        return duration;
    }

    /** The counter of calls that failed or were rejected. */
    public String errors() {
        return errors;
    }
}
