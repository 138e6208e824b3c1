package dev.bulwark.grpc.internal;

import io.grpc.ConnectivityState;
import io.grpc.LoadBalancer.Subchannel;
import java.util.concurrent.atomic.AtomicInteger;

/** One connection (a grpc-java subchannel) to an endpoint, with the calls in flight on it. */
final class Connection {
    final Subchannel subchannel;
    final AtomicInteger inFlight = new AtomicInteger();
    /** Written on the balancer's synchronization context, read by pickers. */
    volatile ConnectivityState state = ConnectivityState.IDLE;
    /** When the last call on it ended (ticker reading); for closing idle extra connections. */
    volatile long lastUsedNanos;

    Connection(Subchannel subchannel, long nowNanos) {
        this.subchannel = subchannel;
        this.lastUsedNanos = nowNanos;
    }

    boolean isReady() {
        return state == ConnectivityState.READY;
    }
}
