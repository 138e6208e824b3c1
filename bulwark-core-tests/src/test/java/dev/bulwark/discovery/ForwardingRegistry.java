package dev.bulwark.discovery;

import java.util.List;
import java.util.Map;
import java.util.Optional;

/** A registry that forwards everything to another, for tests to override one method. */
class ForwardingRegistry implements ServiceRegistry {
    private final ServiceRegistry to;

    ForwardingRegistry(ServiceRegistry to) {
        this.to = to;
    }

    @Override
    public void register(ServiceInstance instance) {
        to.register(instance);
    }

    @Override
    public void deregister(String service, String instanceId) {
        to.deregister(service, instanceId);
    }

    @Override
    public void update(ServiceInstance instance) {
        to.update(instance);
    }

    @Override
    public void heartbeat(String service, String instanceId) {
        to.heartbeat(service, instanceId);
    }

    @Override
    public Optional<ServiceInstance> get(String service, String instanceId) {
        return to.get(service, instanceId);
    }

    @Override
    public List<ServiceInstance> list(String service) {
        return to.list(service);
    }

    @Override
    public Map<String, List<ServiceInstance>> listAll() {
        return to.listAll();
    }

    @Override
    public Watch watch(String service, WatchListener listener) {
        return to.watch(service, listener);
    }

    @Override
    public void close() {
        to.close();
    }
}
