package dev.bulwark.discovery;

import dev.bulwark.InvalidConfigException;
import dev.bulwark.internal.Check;
import java.util.Locale;
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
        if (config.type() == RegistryConfig.Type.MEMORY) {
            return InMemoryRegistry.create();
        }
        for (RegistryProvider provider : ServiceLoader.load(RegistryProvider.class)) {
            if (provider.type() == config.type()) {
                return provider.create(config);
            }
        }
        String name = config.type().name().toLowerCase(Locale.ROOT);
        throw new InvalidConfigException("type", name, "a registry whose module is on the class path (add bulwark-discovery-"
                + name + ")");
    }
}
