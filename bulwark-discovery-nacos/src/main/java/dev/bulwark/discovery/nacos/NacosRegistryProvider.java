package dev.bulwark.discovery.nacos;

import dev.bulwark.discovery.RegistryConfig;
import dev.bulwark.discovery.RegistryProvider;
import dev.bulwark.discovery.ServiceRegistry;

/**
 * Lets {@code Registries.create(config)} make a {@link NacosRegistry} for configs of type
 * {@code NACOS} when this module is on the class path (registered in
 * {@code META-INF/services/dev.bulwark.discovery.RegistryProvider}).
 */
public final class NacosRegistryProvider implements RegistryProvider {

    @Override
    public String type() {
        return RegistryConfig.NACOS;
    }

    @Override
    public ServiceRegistry create(RegistryConfig config) {
        return NacosRegistry.connect(config);
    }
}
