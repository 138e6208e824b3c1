package dev.bulwark.discovery;

import dev.bulwark.InvalidConfigException;
import dev.bulwark.internal.Check;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One running instance of a service, as a registry knows it. Immutable; built and validated by
 * {@link #builder(String, String, int)}.
 *
 * <pre>{@code
 * ServiceInstance instance = ServiceInstance.builder("user-service", "10.0.0.7", 8080)
 *     .version("1.4.2").protocol("grpc").zone("eu-west-1a").weight(2)
 *     .metadata("commit", "9f2c1e").tag("canary")
 *     .ttl(Duration.ofSeconds(15))
 *     .build();
 * }</pre>
 */
public final class ServiceInstance {
    private final String id;
    private final String service;
    private final String version;
    private final String host;
    private final int port;
    private final String protocol;
    private final Health health;
    private final Map<String, String> metadata;
    private final Set<String> tags;
    private final int weight;
    private final String zone;
    private final Instant registeredAt;
    private final Instant updatedAt;
    private final Duration ttl;

    private ServiceInstance(Builder b) {
        this.service = b.service;
        this.host = b.host;
        this.port = b.port;
        this.id = b.id != null ? b.id : b.service + "-" + b.host + ":" + b.port;
        this.version = b.version;
        this.protocol = b.protocol;
        this.health = b.health;
        this.metadata = java.util.Collections.unmodifiableMap(new TreeMap<>(b.metadata));
        this.tags = java.util.Collections.unmodifiableSet(new TreeSet<>(b.tags));
        this.weight = b.weight;
        this.zone = b.zone;
        this.registeredAt = b.registeredAt;
        this.updatedAt = b.updatedAt != null ? b.updatedAt : b.registeredAt;
        this.ttl = b.ttl;
    }

    /** Starts an instance of {@code service} at {@code host}:{@code port}. */
    public static Builder builder(String service, String host, int port) {
        return new Builder(service, host, port);
    }

    /** A builder holding this instance's values, to derive a changed one. */
    public Builder toBuilder() {
        Builder b = new Builder(service, host, port);
        b.id = id;
        b.version = version;
        b.protocol = protocol;
        b.health = health;
        b.metadata.putAll(metadata);
        b.tags.addAll(tags);
        b.weight = weight;
        b.zone = zone;
        b.registeredAt = registeredAt;
        b.updatedAt = updatedAt;
        b.ttl = ttl;
        return b;
    }

    /** Unique within its service; defaults to {@code service-host:port}. */
    public String id() {
        return id;
    }

    public String service() {
        return service;
    }

    public String version() {
        return version;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    /** {@code host:port}, with brackets around an IPv6 host. */
    public String address() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }

    /** How to talk to it: {@code http}, {@code https}, {@code grpc}, ... */
    public String protocol() {
        return protocol;
    }

    public Health health() {
        return health;
    }

    public Map<String, String> metadata() {
        return metadata;
    }

    public Set<String> tags() {
        return tags;
    }

    /** Relative share of traffic, at least 1. */
    public int weight() {
        return weight;
    }

    /** Availability zone or region, empty if unknown. */
    public String zone() {
        return zone;
    }

    public Instant registeredAt() {
        return registeredAt;
    }

    public Instant updatedAt() {
        return updatedAt;
    }

    /** How long the registration lasts without a heartbeat; {@link Duration#ZERO} when it never expires. */
    public Duration ttl() {
        return ttl;
    }

    /** This instance with another health. */
    public ServiceInstance withHealth(Health newHealth) {
        return toBuilder().health(newHealth).build();
    }

    @Override
    public boolean equals(Object other) {
        return this == other || other instanceof ServiceInstance o
                && port == o.port && weight == o.weight && id.equals(o.id) && service.equals(o.service)
                && version.equals(o.version) && host.equals(o.host) && protocol.equals(o.protocol)
                && health == o.health && metadata.equals(o.metadata) && tags.equals(o.tags) && zone.equals(o.zone)
                && registeredAt.equals(o.registeredAt) && updatedAt.equals(o.updatedAt) && ttl.equals(o.ttl);
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, service, host, port, version, health);
    }

    @Override
    public String toString() {
        return service + "/" + id + "@" + address() + " (" + protocol + ", v" + version + ", " + health
                + ", weight " + weight + (zone.isEmpty() ? "" : ", " + zone) + ")";
    }

    /** Builds a {@link ServiceInstance}; every setter validates at once. */
    public static final class Builder {
        private final String service;
        private final String host;
        private final int port;
        private String id;
        private String version = "";
        private String protocol = "http";
        private Health health = Health.UNKNOWN;
        private final Map<String, String> metadata = new TreeMap<>();
        private final Set<String> tags = new TreeSet<>();
        private int weight = 1;
        private String zone = "";
        private Instant registeredAt = Instant.now();
        private Instant updatedAt;
        private Duration ttl = Duration.ZERO;

        private Builder(String service, String host, int port) {
            this.service = Names.check("service", service);
            this.host = Hosts.check("host", host);
            this.port = Check.between("port", port, 1, 65_535);
        }

        /** A unique id within the service (default {@code service-host:port}). */
        public Builder id(String value) {
            id = Names.check("id", value);
            return this;
        }

        public Builder version(String value) {
            version = Check.notNull("version", value);
            return this;
        }

        public Builder protocol(String value) {
            protocol = Check.name("protocol", value);
            return this;
        }

        public Builder health(Health value) {
            health = Check.notNull("health", value);
            return this;
        }

        public Builder metadata(String key, String value) {
            metadata.put(Check.name("metadata key", key), Check.notNull("metadata[" + key + "]", value));
            return this;
        }

        public Builder metadata(Map<String, String> values) {
            Check.notNull("metadata", values).forEach(this::metadata);
            return this;
        }

        public Builder tag(String value) {
            tags.add(Check.name("tag", value));
            return this;
        }

        public Builder weight(int value) {
            weight = Check.between("weight", value, 1, 1_000_000);
            return this;
        }

        public Builder zone(String value) {
            zone = Check.notNull("zone", value);
            return this;
        }

        public Builder registeredAt(Instant value) {
            registeredAt = Check.notNull("registeredAt", value);
            return this;
        }

        public Builder updatedAt(Instant value) {
            updatedAt = Check.notNull("updatedAt", value);
            return this;
        }

        /** The registration expires unless renewed by a heartbeat within {@code value}; zero: never. */
        public Builder ttl(Duration value) {
            ttl = Check.nonNegative("ttl", value);
            return this;
        }

        public ServiceInstance build() {
            if (updatedAt != null && updatedAt.isBefore(registeredAt)) {
                throw new InvalidConfigException("updatedAt", updatedAt, "an instant not before registeredAt (" + registeredAt + ")");
            }
            return new ServiceInstance(this);
        }
    }
}
