package dev.bulwark.discovery.consul;

import dev.bulwark.InvalidConfigException;
import dev.bulwark.discovery.ServiceInstance;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import org.kiwiproject.consul.model.agent.ImmutableRegCheck;
import org.kiwiproject.consul.model.agent.ImmutableRegistration;
import org.kiwiproject.consul.model.agent.Registration;
import org.kiwiproject.consul.model.catalog.ImmutableServiceWeights;

/**
 * A {@link ServiceInstance} as a Consul agent service registration: name, id, address, port and
 * tags as Consul's own fields, the weight also as Consul's {@code Weights} (so DNS and other
 * Consul clients see it), and every Bulwark field in the service meta ({@link MetaKeys}):
 *
 * <pre>
 * bulwark=1  bulwark-version=1.4.2  bulwark-protocol=grpc  bulwark-zone=eu-west-1a  bulwark-weight=2
 * bulwark-health=UNKNOWN  bulwark-registered-at=2025-01-31T12:00:00.123Z  bulwark-updated-at=...
 * bulwark-ttl=PT15S  commit=9f2c1e
 * </pre>
 *
 * One TTL check comes with it (Consul names it {@code service:<id>}), passing from the start,
 * since the registrant is alive as it registers; if no heartbeat passes it again within its TTL
 * it turns critical, and Consul deregisters the service after {@code DeregisterCriticalServiceAfter}.
 */
final class Registrations {
    static final String FORMAT = "1";
    static final String VERSION = "bulwark-version";
    static final String PROTOCOL = "bulwark-protocol";
    static final String ZONE = "bulwark-zone";
    static final String WEIGHT = "bulwark-weight";
    static final String HEALTH = "bulwark-health";
    static final String REGISTERED_AT = "bulwark-registered-at";
    static final String UPDATED_AT = "bulwark-updated-at";
    static final String TTL = "bulwark-ttl";
    /** Meta pairs Bulwark's own fields take, out of Consul's {@value MetaKeys#MAX_PAIRS}. */
    static final int OWN_PAIRS = 9;

    private Registrations() {
    }

    /**
     * The registration of {@code instance} with a TTL check of {@code checkTtl}.
     *
     * @throws InvalidConfigException if its metadata exceeds what Consul's service meta holds
     */
    static Registration of(ServiceInstance instance, Duration checkTtl, Duration deregisterCriticalAfter) {
        return ImmutableRegistration.builder()
                .name(instance.service())
                .id(instance.id())
                .address(instance.host())
                .port(instance.port())
                .tags(instance.tags())
                .meta(meta(instance))
                .serviceWeights(ImmutableServiceWeights.builder().passing(instance.weight()).warning(1).build())
                .check(ImmutableRegCheck.builder()
                        .ttl(DurationText.go(checkTtl))
                        .status("passing")
                        .deregisterCriticalServiceAfter(DurationText.go(deregisterCriticalAfter))
                        .notes("Bulwark heartbeat: passes on every heartbeat, critical when none came within the TTL")
                        .build())
                .build();
    }

    /** The service meta for {@code instance}; checked against Consul's limits. */
    static Map<String, String> meta(ServiceInstance instance) {
        if (instance.metadata().size() > MetaKeys.MAX_PAIRS - OWN_PAIRS) {
            throw new InvalidConfigException("metadata", instance.metadata().size() + " entries", "at most "
                    + (MetaKeys.MAX_PAIRS - OWN_PAIRS) + " entries: Consul keeps " + MetaKeys.MAX_PAIRS
                    + " meta pairs per service and Bulwark's fields take " + OWN_PAIRS);
        }
        Map<String, String> meta = new TreeMap<>();
        meta.put(MetaKeys.PREFIX, FORMAT);
        meta.put(VERSION, value(VERSION, instance.version()));
        meta.put(PROTOCOL, value(PROTOCOL, instance.protocol()));
        meta.put(ZONE, value(ZONE, instance.zone()));
        meta.put(WEIGHT, Integer.toString(instance.weight()));
        meta.put(HEALTH, instance.health().name());
        meta.put(REGISTERED_AT, instance.registeredAt().toString());
        meta.put(UPDATED_AT, instance.updatedAt().toString());
        meta.put(TTL, instance.ttl().toString());
        for (Map.Entry<String, String> e : instance.metadata().entrySet()) {
            String key = MetaKeys.forMetadata(e.getKey());
            if (key.length() > MetaKeys.MAX_KEY_LENGTH) {
                throw new InvalidConfigException("metadata key", "\"" + e.getKey() + "\"", "a key Consul can hold: at most "
                        + MetaKeys.MAX_KEY_LENGTH + " characters of letters, digits, '-' and '_', or shorter if it needs "
                        + "escaping (it became " + key.length() + " characters as " + key.substring(0, 40) + "...)");
            }
            if (meta.put(key, value("metadata[" + e.getKey() + "]", e.getValue())) != null) {
                throw new IllegalStateException("two metadata keys map to Consul meta key " + key); // escaping is injective
            }
        }
        return meta;
    }

    private static String value(String field, String value) {
        if (MetaKeys.bytes(value) > MetaKeys.MAX_VALUE_BYTES) {
            throw new InvalidConfigException(field, value.substring(0, Math.min(40, value.length())) + "... ("
                    + MetaKeys.bytes(value) + " bytes)", "at most " + MetaKeys.MAX_VALUE_BYTES
                    + " bytes in UTF-8: Consul's limit on a service meta value");
        }
        return value;
    }
}
