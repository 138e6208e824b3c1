package dev.bulwark.grpc.server;

import java.util.Map;

/**
 * A snapshot of a {@link BulwarkServer}'s traffic since it started.
 *
 * @param calls calls that ended (handled or refused)
 * @param errors calls that ended with a status other than OK (refusals included)
 * @param activeCalls calls in flight now
 * @param activeConnections connections open now
 * @param rejections calls refused before their handler, by reason ({@code rate}, {@code rate:<method>},
 *        {@code rate:key}, {@code concurrency}, {@code concurrency:<method>}); and {@code connections},
 *        connections refused for the connection limit
 * @param p50Nanos median call latency (handled calls)
 * @param p99Nanos 99th percentile call latency (handled calls)
 * @param callsPerSecond calls ended per second, averaged since start
 */
public record ServerStats(long calls, long errors, int activeCalls, int activeConnections, Map<String, Long> rejections,
        long p50Nanos, long p99Nanos, double callsPerSecond) {

    /** Errors over calls, 0 without calls. */
    public double errorRate() {
        return calls == 0 ? 0 : (double) errors / calls;
    }
}
