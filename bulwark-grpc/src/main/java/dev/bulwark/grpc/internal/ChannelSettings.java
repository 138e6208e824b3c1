package dev.bulwark.grpc.internal;

import dev.bulwark.balance.LoadBalancer;
import dev.bulwark.breaker.CircuitBreakerConfig;
import dev.bulwark.discovery.ServiceDiscovery;
import dev.bulwark.time.Ticker;
import io.grpc.Attributes;
import io.grpc.NameResolver;
import java.time.Duration;

/**
 * What one Bulwark channel tells its name resolver and load balancer, which grpc-java creates: the
 * discovery to read, which instances to take, how to balance and guard endpoints, and the book in
 * which the balancer shows its endpoints to the channel. Passed as a name-resolver argument, then
 * on to the balancer in the resolution's attributes.
 *
 * @param service the service name in the registry
 * @param discovery where instances come from
 * @param protocol the protocol instances must declare, or {@code null} for any
 * @param balancer picks among ready endpoints; one per channel
 * @param endpointBreaker the config of each endpoint's breaker, or {@code null} for none
 * @param ticker times calls for endpoint statistics and breakers
 * @param maxConnectionsPerEndpoint connections one endpoint may have (1: no pool)
 * @param maxCallsPerConnection calls in flight on each connection before another is opened
 * @param connectionIdleTimeout how long an extra connection may stay without calls before it is closed
 * @param endpoints where the balancer publishes its endpoints
 */
public record ChannelSettings(String service, ServiceDiscovery discovery, String protocol, LoadBalancer balancer,
        CircuitBreakerConfig endpointBreaker, Ticker ticker, int maxConnectionsPerEndpoint, int maxCallsPerConnection,
        Duration connectionIdleTimeout, EndpointBook endpoints) {

    /** How the channel hands these settings to its name resolver. */
    public static final NameResolver.Args.Key<ChannelSettings> RESOLVER_ARG = NameResolver.Args.Key.create("bulwark.channelSettings");

    /** How the name resolver hands them on to the load balancer. */
    public static final Attributes.Key<ChannelSettings> ATTRIBUTE = Attributes.Key.create("bulwark.channelSettings");
}
