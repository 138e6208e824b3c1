package dev.bulwark.discovery.nacos;

import com.alibaba.nacos.api.naming.pojo.Instance;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import dev.bulwark.discovery.Health;
import dev.bulwark.discovery.ServiceInstance;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * A {@link ServiceInstance} as a Nacos {@link Instance} and back. Nacos has fields for the
 * address, weight, health and enablement; the rest of Bulwark's fields travel in the instance
 * metadata under {@code bulwark.*} keys, beside the user's own metadata (kept under its own keys,
 * so other Nacos clients see it as usual):
 *
 * <pre>
 * ip=10.0.0.7 port=8080 instanceId=users-1 weight=2.0 healthy=true enabled=true clusterName=DEFAULT
 * metadata: commit=9f2c1e  bulwark.id=users-1  bulwark.version=1.4.2  bulwark.protocol=grpc
 *           bulwark.zone=eu-west-1a  bulwark.health=UP  bulwark.weight=2  bulwark.tags=["canary"]
 *           bulwark.registeredAt=2025-01-31T12:00:00Z  bulwark.updatedAt=2025-01-31T12:00:00Z  bulwark.ttl=PT15S
 * </pre>
 *
 * <ul>
 *   <li><b>Weight.</b> Nacos caps weights at {@value #MAX_NACOS_WEIGHT}; the exact weight is kept
 *       in {@code bulwark.weight} and read back while Nacos's weight still matches it, so a weight
 *       an operator sets in the Nacos console wins.</li>
 *   <li><b>Health.</b> DOWN is written as {@code healthy=false}. Read back, an instance Nacos
 *       reports unhealthy, disabled or of weight 0 is DOWN; otherwise it is as registered
 *       ({@code bulwark.health}: UP or UNKNOWN), or UP when registered by another Nacos client.</li>
 *   <li><b>User keys starting with {@code bulwark.}</b> are stored as {@code bulwark.meta.<key>}.</li>
 *   <li><b>Instances other Nacos clients registered</b> (no {@code bulwark.id}) are read with
 *       defaults: their Nacos instance id when it is a valid Bulwark id, else
 *       {@code <service>-<ip>:<port>} ({@code <service>-<cluster>-<ip>:<port>} outside the
 *       default cluster); registered at the epoch, so that reading them twice gives equal instances.</li>
 *   <li><b>Corrupt metadata</b> (a {@code bulwark.*} value that does not parse, or one the instance
 *       builder refuses) fails with {@link CorruptInstanceException}, naming the field.</li>
 * </ul>
 */
final class InstanceMapping {
    static final double MAX_NACOS_WEIGHT = 10_000;
    static final String PREFIX = "bulwark.";
    static final String ID = PREFIX + "id";
    static final String VERSION = PREFIX + "version";
    static final String PROTOCOL = PREFIX + "protocol";
    static final String ZONE = PREFIX + "zone";
    static final String HEALTH = PREFIX + "health";
    static final String WEIGHT = PREFIX + "weight";
    static final String TAGS = PREFIX + "tags";
    static final String REGISTERED_AT = PREFIX + "registeredAt";
    static final String UPDATED_AT = PREFIX + "updatedAt";
    static final String TTL = PREFIX + "ttl";
    static final String USER = PREFIX + "meta.";

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern BULWARK_ID = Pattern.compile("[A-Za-z0-9._:\\-]{1,200}");

    private InstanceMapping() {
    }

    /** The Nacos instance for {@code instance}, in {@code cluster}, ephemeral or persistent. */
    static Instance toNacos(ServiceInstance instance, String cluster, boolean ephemeral) {
        Instance out = new Instance();
        out.setInstanceId(instance.id());
        out.setIp(instance.host());
        out.setPort(instance.port());
        out.setWeight(Math.min(instance.weight(), MAX_NACOS_WEIGHT));
        out.setHealthy(instance.health().isServing());
        out.setEnabled(true);
        out.setEphemeral(ephemeral);
        out.setClusterName(cluster);
        Map<String, String> metadata = new HashMap<>();
        instance.metadata().forEach((key, value) -> metadata.put(key.startsWith(PREFIX) ? USER + key : key, value));
        metadata.put(ID, instance.id());
        metadata.put(VERSION, instance.version());
        metadata.put(PROTOCOL, instance.protocol());
        metadata.put(ZONE, instance.zone());
        metadata.put(HEALTH, instance.health().name());
        metadata.put(WEIGHT, Integer.toString(instance.weight()));
        metadata.put(TAGS, tags(instance));
        metadata.put(REGISTERED_AT, instance.registeredAt().toString());
        metadata.put(UPDATED_AT, instance.updatedAt().toString());
        metadata.put(TTL, instance.ttl().toString());
        out.setMetadata(metadata);
        return out;
    }

    /**
     * The Bulwark instance {@code nacos} describes, as an instance of {@code service}.
     *
     * @throws CorruptInstanceException if its Bulwark metadata is unreadable or invalid
     */
    static ServiceInstance fromNacos(String service, Instance nacos) {
        Map<String, String> metadata = nacos.getMetadata() == null ? Map.of() : nacos.getMetadata();
        boolean ours = metadata.containsKey(ID);
        try {
            ServiceInstance.Builder b = ServiceInstance.builder(service, nacos.getIp(), nacos.getPort())
                    .id(ours ? metadata.get(ID) : foreignId(service, nacos));
            Map<String, String> user = new HashMap<>();
            metadata.forEach((key, value) -> {
                if (key == null || key.isBlank() || value == null) {
                    return; // nothing a ServiceInstance can hold; only other clients write these
                }
                if (key.startsWith(USER)) {
                    user.put(key.substring(USER.length()), value);
                } else if (!key.startsWith(PREFIX)) {
                    user.put(key, value);
                }
            });
            b.metadata(user);
            b.weight(weight(nacos, metadata.get(WEIGHT)));
            b.health(health(nacos, metadata.get(HEALTH)));
            if (!ours) {
                return b.registeredAt(Instant.EPOCH).build();
            }
            b.version(metadata.getOrDefault(VERSION, ""));
            b.protocol(metadata.getOrDefault(PROTOCOL, "http"));
            b.zone(metadata.getOrDefault(ZONE, ""));
            tags(metadata.get(TAGS)).forEach(b::tag);
            Instant registeredAt = instant(REGISTERED_AT, metadata.get(REGISTERED_AT), Instant.EPOCH);
            b.registeredAt(registeredAt);
            b.updatedAt(instant(UPDATED_AT, metadata.get(UPDATED_AT), registeredAt));
            b.ttl(duration(metadata.get(TTL)));
            return b.build();
        } catch (IllegalArgumentException e) { // InvalidConfigException: the instance builder refused a value
            throw new CorruptInstanceException("refused", e);
        }
    }

    /** The Bulwark id {@code nacos} is read with, even when the rest of it is corrupt. */
    static String idOf(String service, Instance nacos) {
        String id = nacos.getMetadata() == null ? null : nacos.getMetadata().get(ID);
        return id != null ? id : foreignId(service, nacos);
    }

    /** A name for {@code nacos} in logs: its address, cluster and Nacos instance id. */
    static String describe(Instance nacos) {
        return nacos.getIp() + ":" + nacos.getPort() + " (cluster " + nacos.getClusterName() + ", Nacos id "
                + nacos.getInstanceId() + ")";
    }

    private static String foreignId(String service, Instance nacos) {
        String nacosId = nacos.getInstanceId();
        if (nacosId != null && BULWARK_ID.matcher(nacosId).matches()) {
            return nacosId;
        }
        String cluster = nacos.getClusterName();
        boolean defaultCluster = cluster == null || cluster.isEmpty() || NacosSettings.DEFAULT_CLUSTER.equals(cluster);
        String host = nacos.getIp() == null ? "" : nacos.getIp();
        return service + "-" + (defaultCluster ? "" : cluster + "-") + host + ":" + nacos.getPort();
    }

    private static int weight(Instance nacos, String exact) {
        double nacosWeight = nacos.getWeight();
        if (exact != null) {
            int stored;
            try {
                stored = Integer.parseInt(exact);
            } catch (NumberFormatException e) {
                throw new CorruptInstanceException(WEIGHT + ": \"" + exact + "\" is not an integer");
            }
            if (Math.abs(Math.min(stored, MAX_NACOS_WEIGHT) - nacosWeight) < 1e-6) {
                return stored; // as registered: Nacos's copy is capped, ours is exact
            }
        }
        return (int) Math.max(1, Math.min(1_000_000, Math.round(nacosWeight))); // set in Nacos, or written by another client
    }

    private static Health health(Instance nacos, String registered) {
        Health stored = Health.UP;
        if (registered != null) {
            try {
                stored = Health.valueOf(registered);
            } catch (IllegalArgumentException e) {
                throw new CorruptInstanceException(HEALTH + ": \"" + registered + "\" is none of UP, DOWN, UNKNOWN");
            }
        }
        if (!nacos.isHealthy() || !nacos.isEnabled() || nacos.getWeight() <= 0) {
            return Health.DOWN;
        }
        // Nacos's flag is the live one (its own health checks set it for persistent instances).
        return stored == Health.DOWN ? Health.UP : stored;
    }

    private static String tags(ServiceInstance instance) {
        ArrayNode array = JSON.createArrayNode();
        instance.tags().forEach(array::add);
        try {
            return JSON.writeValueAsString(array);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write tags of " + instance, e); // an array of strings always writes
        }
    }

    private static List<String> tags(String json) {
        List<String> out = new ArrayList<>();
        if (json == null || json.isEmpty()) {
            return out;
        }
        JsonNode node;
        try {
            node = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new CorruptInstanceException(TAGS + ": not JSON (" + e.getOriginalMessage() + ")");
        }
        if (node == null || !node.isArray()) {
            throw new CorruptInstanceException(TAGS + ": " + json + " is not a JSON array");
        }
        for (JsonNode tag : node) {
            if (!tag.isTextual()) {
                throw new CorruptInstanceException(TAGS + ": " + tag + " is not a string");
            }
            out.add(tag.textValue());
        }
        return out;
    }

    private static Instant instant(String field, String text, Instant fallback) {
        if (text == null || text.isEmpty()) {
            return fallback;
        }
        try {
            return Instant.parse(text);
        } catch (DateTimeException e) {
            throw new CorruptInstanceException(field + ": \"" + text + "\" is not an ISO-8601 instant");
        }
    }

    private static Duration duration(String text) {
        if (text == null || text.isEmpty()) {
            return Duration.ZERO;
        }
        try {
            return Duration.parse(text);
        } catch (DateTimeException e) {
            throw new CorruptInstanceException(TTL + ": \"" + text + "\" is not an ISO-8601 duration");
        }
    }
}
