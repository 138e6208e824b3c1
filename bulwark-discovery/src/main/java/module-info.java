/**
 * Service discovery: service instances, the registry SPI, the in-memory registry, the discovery
 * cache that survives registry outages, health checks, and pools fed by discovery. Backends
 * (etcd, ZooKeeper, Consul, Nacos, or your own) plug in as {@link dev.bulwark.discovery.RegistryProvider}s.
 */
module dev.bulwark.discovery {
    requires transitive dev.bulwark.core;
    requires com.fasterxml.jackson.databind;
    requires java.net.http;

    exports dev.bulwark.discovery;
    exports dev.bulwark.discovery.health;

    uses dev.bulwark.discovery.RegistryProvider;
}
