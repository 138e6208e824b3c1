package dev.bulwark.discovery.consul;

import dev.bulwark.discovery.RegistryConfig;
import dev.bulwark.discovery.RegistryProvider;
import dev.bulwark.discovery.ServiceRegistry;

/**
 * Lets {@code Registries.create(config)} make a {@link ConsulRegistry} for configs of type
 * {@code CONSUL} when this module is on the class path (registered in
 * {@code META-INF/services/dev.bulwark.discovery.RegistryProvider}).
 */
public final class ConsulRegistryProvider implements RegistryProvider {

    @Override
    public String type() {
        return RegistryConfig.CONSUL;
    }

    @Override
    public ServiceRegistry create(RegistryConfig config) {
        return ConsulRegistry.connect(config);
    }
}
