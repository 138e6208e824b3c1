/**
 * Service discovery: service instances, the registry SPI, the in-memory registry, the discovery
 * cache that survives registry outages, health checks, and pools fed by discovery. Backends
 * (etcd, ZooKeeper, Consul, Nacos, or your own) plug in as {@link dev.bulwark.discovery.RegistryProvider}s.
 */
@SuppressWarnings("module") // the qualified exports name modules built after this one
module dev.bulwark.discovery {
    requires transitive dev.bulwark.core;
    requires com.fasterxml.jackson.databind;
    requires java.net.http;

    exports dev.bulwark.discovery;
    exports dev.bulwark.discovery.health;
    exports dev.bulwark.discovery.internal to
            dev.bulwark.discovery.etcd,
            dev.bulwark.discovery.zookeeper,
            dev.bulwark.discovery.consul,
            dev.bulwark.discovery.nacos;

    uses dev.bulwark.discovery.RegistryProvider;
}
