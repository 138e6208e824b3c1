package dev.bulwark.discovery;

import dev.bulwark.balance.Endpoint;
import dev.bulwark.balance.EndpointStats;

/** An instance as a load balancer sees it, for {@link ServiceDiscovery#pick(String, dev.bulwark.CallContext)}. */
final class InstanceEndpoint implements Endpoint {
    final ServiceInstance instance;
    private final EndpointStats stats;
    private final HealthView health;

    InstanceEndpoint(ServiceInstance instance, EndpointStats stats, HealthView health) {
        this.instance = instance;
        this.stats = stats;
        this.health = health;
    }

    @Override
    public String name() {
        return instance.id();
    }

    @Override
    public int weight() {
        return instance.weight();
    }

    @Override
    public EndpointStats stats() {
        return stats;
    }

    @Override
    public boolean isAvailable() {
        return instance.health().isServing() && health.isServing(instance);
    }
}
