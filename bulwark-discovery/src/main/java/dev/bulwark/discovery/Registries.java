package dev.bulwark.discovery;

import dev.bulwark.InvalidConfigException;
import dev.bulwark.internal.Check;
import java.util.ServiceLoader;

/** Makes a {@link ServiceRegistry} from a {@link RegistryConfig}. */
public final class Registries {
    private Registries() {
    }

    /**
     * The registry {@code config} describes: in-memory here, others from their module's
     * {@link RegistryProvider}.
     *
     * @throws InvalidConfigException if the backend's module is not on the class path
     */
    public static ServiceRegistry create(RegistryConfig config) {
        Check.notNull("config", config);
        if (RegistryConfig.MEMORY.equals(config.type())) {
            return InMemoryRegistry.create();
        }
        java.util.List<String> known = new java.util.ArrayList<>(java.util.List.of(RegistryConfig.MEMORY));
        for (RegistryProvider provider : ServiceLoader.load(RegistryProvider.class)) {
            if (config.type().equalsIgnoreCase(provider.type())) {
                return provider.create(config);
            }
            known.add(provider.type());
        }
        String name = config.type();
        throw new InvalidConfigException("type", name, "a registry whose module is on the class path (found: " + known
                + "; for Bulwark's own backends add bulwark-discovery-" + name + ")");
    }
}
