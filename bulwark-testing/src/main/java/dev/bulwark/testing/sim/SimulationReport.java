package dev.bulwark.testing.sim;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What one {@link Simulation} run saw. Every request ends exactly one way, so
 * {@code succeeded + failed + timedOut + noEndpoint == requests}. Latencies are in virtual
 * nanoseconds, over every request (see {@link Simulation}). Two runs of the same simulation with
 * the same balancing give equal reports.
 *
 * @param balancing the name of the balancing under test
 * @param requests requests that arrived
 * @param succeeded answered successfully before the timeout
 * @param failed answered with a failure before the timeout
 * @param timedOut not answered before the timeout
 * @param noEndpoint failed at once: no backend admitted them (every breaker open)
 * @param p50Nanos median latency
 * @param p99Nanos 99th percentile latency
 * @param p999Nanos 99.9th percentile latency
 * @param maxNanos the slowest request
 * @param requestsByBackend requests sent to each backend, in the simulation's order
 * @param inFlightAtEnd calls the statistics still count in flight after the last event (0 unless
 *     a balancer or the simulation lost track of one)
 * @param elapsedNanos virtual time from the first arrival to the last event
 */
public record SimulationReport(String balancing, long requests, long succeeded, long failed, long timedOut, long noEndpoint,
        long p50Nanos, long p99Nanos, long p999Nanos, long maxNanos, Map<String, Long> requestsByBackend,
        int inFlightAtEnd, long elapsedNanos) {

    public SimulationReport {
        requestsByBackend = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(requestsByBackend));
    }

    /** The share of requests that succeeded, in [0, 1]. */
    public double successRate() {
        return requests == 0 ? 1 : (double) succeeded / requests;
    }

    /** Requests sent to {@code backend} (0 if there is none of that name). */
    public long requestsTo(String backend) {
        return requestsByBackend.getOrDefault(backend, 0L);
    }

    /**
     * A markdown table of {@code reports}, one row each: success rate, failures by kind, latency
     * percentiles and, if {@code watchedBackend} is not null, the requests sent to that backend.
     */
    public static String markdownTable(List<SimulationReport> reports, String watchedBackend) {
        StringBuilder md = new StringBuilder();
        md.append("| balancer | success | failed | timed out | no endpoint | p50 | p99 | p99.9 |");
        if (watchedBackend != null) {
            md.append(" to ").append(watchedBackend).append(" |");
        }
        md.append("\n|---|---:|---:|---:|---:|---:|---:|---:|");
        if (watchedBackend != null) {
            md.append("---:|");
        }
        md.append('\n');
        for (SimulationReport r : reports) {
            md.append("| ").append(r.balancing())
                    .append(" | ").append(percent(r.successRate()))
                    .append(" | ").append(r.failed())
                    .append(" | ").append(r.timedOut())
                    .append(" | ").append(r.noEndpoint())
                    .append(" | ").append(millis(r.p50Nanos()))
                    .append(" | ").append(millis(r.p99Nanos()))
                    .append(" | ").append(millis(r.p999Nanos()))
                    .append(" |");
            if (watchedBackend != null) {
                md.append(' ').append(r.requestsTo(watchedBackend)).append(" |");
            }
            md.append('\n');
        }
        return md.toString();
    }

    /** {@code 0.99995} → "99.995 %". */
    public static String percent(double fraction) {
        return String.format(Locale.ROOT, "%.3f %%", fraction * 100);
    }

    /** Nanoseconds as milliseconds: "9.8 ms", "1000 ms". */
    public static String millis(long nanos) {
        double ms = nanos / 1e6;
        return ms >= 100 ? String.format(Locale.ROOT, "%.0f ms", ms) : String.format(Locale.ROOT, "%.1f ms", ms);
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s: %s ok (%d failed, %d timed out, %d no endpoint), p50 %s, p99 %s, p99.9 %s, by backend %s",
                balancing, percent(successRate()), failed, timedOut, noEndpoint, millis(p50Nanos), millis(p99Nanos),
                millis(p999Nanos), requestsByBackend);
    }
}
