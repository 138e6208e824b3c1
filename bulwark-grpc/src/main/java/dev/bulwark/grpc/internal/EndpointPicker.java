package dev.bulwark.grpc.internal;

import dev.bulwark.CallContext;
import dev.bulwark.balance.Endpoint;
import dev.bulwark.balance.EndpointSet;
import dev.bulwark.balance.Exclusion;
import dev.bulwark.balance.LoadBalancer;
import dev.bulwark.breaker.CircuitBreaker;
import io.grpc.LoadBalancer.PickResult;
import io.grpc.LoadBalancer.PickSubchannelArgs;
import io.grpc.LoadBalancer.SubchannelPicker;
import io.grpc.Status;
import java.util.function.Consumer;

/**
 * Picks a connection for one attempt with a Bulwark balancer: among the ready endpoints whose
 * breaker is not open, passing over those this call already tried while another is available.
 * An endpoint whose half-open breaker has no probe to spare is passed over for this pick. The
 * picker is immutable; endpoint readiness and breaker state are read live, so a new picker is
 * needed only when the set of endpoints changes or none was ready.
 */
final class EndpointPicker extends SubchannelPicker {
    private final EndpointSet<SubchannelEndpoint> endpoints;
    private final LoadBalancer balancer;
    private final int maxCallsPerConnection;
    private final int maxConnections;
    private final Consumer<SubchannelEndpoint> grow;
    private final Runnable refreshAtNextProbe;

    EndpointPicker(EndpointSet<SubchannelEndpoint> endpoints, LoadBalancer balancer, int maxCallsPerConnection,
            int maxConnections, Consumer<SubchannelEndpoint> grow, Runnable refreshAtNextProbe) {
        this.refreshAtNextProbe = refreshAtNextProbe;
        this.endpoints = endpoints;
        this.balancer = balancer;
        this.maxCallsPerConnection = maxCallsPerConnection;
        this.maxConnections = maxConnections;
        this.grow = grow;
    }

    @Override
    public PickResult pickSubchannel(PickSubchannelArgs args) {
        Attempt attempt = args.getCallOptions().getOption(Attempt.KEY);
        CallContext context = attempt == null ? CallContext.none() : attempt.call.context;
        Exclusion tried = attempt == null ? Exclusion.NONE : attempt.call;
        for (int i = 0, n = endpoints.size(); i <= n; i++) {
            SubchannelEndpoint chosen = (SubchannelEndpoint) balancer.pick(endpoints, context, tried);
            if (chosen == null) {
                break;
            }
            Connection connection = chosen.leastLoaded();
            long permit = connection == null ? CircuitBreaker.NO_PERMIT : permit(chosen);
            if (connection == null || permit == CircuitBreaker.NO_PERMIT && chosen.breaker() != null) {
                tried = passOver(tried, chosen); // not ready after all, or no probe to spare: try another
                continue;
            }
            if (chosen.wantsAnotherConnection(connection, maxCallsPerConnection, maxConnections)) {
                grow.accept(chosen);
            }
            if (attempt != null) {
                attempt.picked(chosen, connection, permit);
            }
            return PickResult.withSubchannel(connection.subchannel);
        }
        return noEndpoint();
    }

    private static long permit(SubchannelEndpoint endpoint) {
        CircuitBreaker breaker = endpoint.breaker();
        return breaker == null ? CircuitBreaker.NO_PERMIT : breaker.tryAcquirePermission();
    }

    private PickResult noEndpoint() {
        int ready = 0;
        for (SubchannelEndpoint e : endpoints.asList()) {
            if (e.isReady()) {
                ready++;
            }
        }
        if (ready == 0) {
            return PickResult.withNoResult(); // none connected yet: wait for the next picker
        }
        // Calls that wait for ready wait for a new picker: have one made when a breaker lets a probe through.
        refreshAtNextProbe.run();
        return PickResult.withError(Status.UNAVAILABLE.withDescription(
                "no endpoint of " + endpoints.size() + " can take the call: the circuit breakers of the "
                        + ready + " connected ones are open or have no probe to spare"));
    }

    /** The call's exclusion plus {@code refused}; only built on the rare path where a chosen endpoint refuses. */
    private static Exclusion passOver(Exclusion tried, Endpoint refused) {
        return e -> e == refused || tried.excludes(e);
    }

    @Override
    public String toString() {
        return "EndpointPicker" + endpoints;
    }
}
