package dev.bulwark.discovery;

/**
 * Makes registries of one {@link RegistryConfig.Type}. Backend modules provide one through
 * {@link java.util.ServiceLoader} ({@code META-INF/services/dev.bulwark.discovery.RegistryProvider}),
 * so that {@link Registries#create(RegistryConfig)} finds it when the module is on the class path.
 */
public interface RegistryProvider {

    RegistryConfig.Type type();

    /** Connects a registry; the config is already validated for its common fields. */
    ServiceRegistry create(RegistryConfig config);
}
