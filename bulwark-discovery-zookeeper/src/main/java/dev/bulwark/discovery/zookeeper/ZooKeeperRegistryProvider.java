package dev.bulwark.discovery.zookeeper;

import dev.bulwark.discovery.RegistryConfig;
import dev.bulwark.discovery.RegistryProvider;
import dev.bulwark.discovery.ServiceRegistry;

/**
 * Makes {@link ZooKeeperRegistry}s for {@link dev.bulwark.discovery.Registries#create}; found
 * through {@link java.util.ServiceLoader} when this module is on the class path.
 */
public final class ZooKeeperRegistryProvider implements RegistryProvider {

    @Override
    public String type() {
        return RegistryConfig.ZOOKEEPER;
    }

    @Override
    public ServiceRegistry create(RegistryConfig config) {
        return ZooKeeperRegistry.connect(config);
    }
}
