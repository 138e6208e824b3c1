package dev.bulwark.discovery.etcd;

import dev.bulwark.discovery.RegistryConfig;
import dev.bulwark.discovery.RegistryProvider;
import dev.bulwark.discovery.ServiceRegistry;

/**
 * Lets {@code Registries.create(config)} make an {@link EtcdRegistry} for configs of type
 * {@code ETCD} when this module is on the class path (registered in
 * {@code META-INF/services/dev.bulwark.discovery.RegistryProvider}).
 */
public final class EtcdRegistryProvider implements RegistryProvider {

    @Override
    public String type() {
        return RegistryConfig.ETCD;
    }

    @Override
    public ServiceRegistry create(RegistryConfig config) {
        return EtcdRegistry.connect(config);
    }
}
