package dev.bulwark.grpc.client;

import dev.bulwark.breaker.CircuitBreaker;
import dev.bulwark.discovery.ServiceInstance;
import io.grpc.ConnectivityState;

/**
 * One endpoint of a {@link BulwarkChannel} as it stands: the instance discovery described, the
 * best state among its connections, its breaker (to read or to operate: {@code forceOpen()} takes
 * it out of rotation) and its call statistics.
 *
 * @param instance the instance, as discovery last described it
 * @param state READY if one of its connections is ready
 * @param breaker its circuit breaker, or {@code null} when the channel has none per endpoint
 * @param inFlight calls in flight to it now
 * @param successes calls that succeeded (or failed in a way breakers ignore)
 * @param failures calls that failed
 * @param latencyMillis its peak-EWMA latency estimate
 * @param connections its open connections
 */
public record EndpointStatus(ServiceInstance instance, ConnectivityState state, CircuitBreaker breaker, int inFlight,
        long successes, long failures, double latencyMillis, int connections) {

    /** {@code host:port}. */
    public String address() {
        return instance.address();
    }
}
