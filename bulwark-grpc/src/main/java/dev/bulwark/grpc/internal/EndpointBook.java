package dev.bulwark.grpc.internal;

import dev.bulwark.balance.EndpointSet;

/**
 * The channel's view of its balancer's endpoints: the balancer publishes each new snapshot here,
 * the channel reads it to report endpoint states. One per channel.
 */
public final class EndpointBook {
    private volatile EndpointSet<SubchannelEndpoint> current = EndpointSet.empty();

    void publish(EndpointSet<SubchannelEndpoint> endpoints) {
        current = endpoints;
    }

    /** The endpoints now. */
    public EndpointSet<SubchannelEndpoint> current() {
        return current;
    }
}
