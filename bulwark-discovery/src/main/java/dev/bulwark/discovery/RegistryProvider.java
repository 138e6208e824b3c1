package dev.bulwark.discovery;

/**
 * Makes registries of one type, named by a string. Backend modules provide one through
 * {@link java.util.ServiceLoader} ({@code META-INF/services/dev.bulwark.discovery.RegistryProvider}),
 * so that {@link Registries#create(RegistryConfig)} finds it when the module is on the class path;
 * a registry of your own plugs in the same way under a name of its own.
 */
public interface RegistryProvider {

    /** The type name configs use, in lower case: {@code etcd}, {@code zookeeper}, or your own. */
    String type();

    /** Connects a registry; the config is already validated for its common fields. */
    ServiceRegistry create(RegistryConfig config);
}
