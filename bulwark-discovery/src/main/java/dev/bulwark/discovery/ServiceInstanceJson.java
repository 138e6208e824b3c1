package dev.bulwark.discovery;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * A {@link ServiceInstance} as JSON, the form the key-value backends (etcd values, ZooKeeper
 * znodes) store, mapped field by field (no reflection), so the stored format is written down here
 * once and stays stable when the class changes. Instants are ISO-8601 strings, the TTL an ISO-8601
 * duration.
 *
 * <pre>
 * {"service":"users","id":"users-1","host":"10.0.0.7","port":8080,"version":"1.4.2","protocol":"grpc",
 *  "health":"UP","weight":2,"zone":"eu-west-1a","metadata":{"commit":"9f2c1e"},"tags":["canary"],
 *  "registeredAt":"2025-01-02T03:04:05.678Z","updatedAt":"2025-01-02T03:04:05.678Z","ttl":"PT15S"}
 * </pre>
 *
 * Decoding is strict about what it needs (service, id, host, port, and registeredAt unless a
 * default is given; every field of the right type, every value valid) and ignores fields it does
 * not know, so a newer writer does not break an older reader.
 */
public final class ServiceInstanceJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ServiceInstanceJson() {
    }

    /** The JSON of {@code instance}, UTF-8. */
    public static byte[] encode(ServiceInstance instance) {
        ObjectNode node = JSON.createObjectNode();
        node.put("service", instance.service());
        node.put("id", instance.id());
        node.put("host", instance.host());
        node.put("port", instance.port());
        node.put("version", instance.version());
        node.put("protocol", instance.protocol());
        node.put("health", instance.health().name());
        node.put("weight", instance.weight());
        node.put("zone", instance.zone());
        ObjectNode metadata = node.putObject("metadata");
        instance.metadata().forEach(metadata::put);
        ArrayNode tags = node.putArray("tags");
        instance.tags().forEach(tags::add);
        node.put("registeredAt", instance.registeredAt().toString());
        node.put("updatedAt", instance.updatedAt().toString());
        node.put("ttl", instance.ttl().toString());
        try {
            return JSON.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON for " + instance, e); // a tree of strings always serializes
        }
    }

    /**
     * The instance {@code data} describes, which must be {@code service}/{@code instanceId} (the
     * key or path it was read from).
     *
     * @param registeredAtIfMissing the registration time of data that has none (written by another
     *     tool), or {@code null} to refuse such data
     * @throws IllegalArgumentException saying what is wrong, when the data is not such an instance
     */
    public static ServiceInstance decode(String service, String instanceId, byte[] data, Instant registeredAtIfMissing) {
        if (data == null || data.length == 0) {
            throw new IllegalArgumentException("no data");
        }
        JsonNode node;
        try {
            node = JSON.readTree(data);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON: " + e.getMessage(), e);
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("not a JSON object: " + preview(data));
        }
        String storedService = text(node, "service", null);
        String storedId = text(node, "id", null);
        if (!service.equals(storedService) || !instanceId.equals(storedId)) {
            throw new IllegalArgumentException("it describes " + storedService + "/" + storedId + ", not the instance at its path");
        }
        ServiceInstance.Builder b = ServiceInstance.builder(service, text(node, "host", null), integer(node, "port", null))
                .id(instanceId);
        b.version(text(node, "version", ""));
        b.protocol(text(node, "protocol", "http"));
        b.health(health(text(node, "health", Health.UNKNOWN.name())));
        b.weight(integer(node, "weight", 1));
        b.zone(text(node, "zone", ""));
        JsonNode metadata = node.get("metadata");
        if (metadata != null && !metadata.isNull()) {
            if (!metadata.isObject()) {
                throw new IllegalArgumentException("metadata is not an object");
            }
            for (Map.Entry<String, JsonNode> e : metadata.properties()) {
                if (!e.getValue().isTextual()) {
                    throw new IllegalArgumentException("metadata[" + e.getKey() + "] is not a string");
                }
                b.metadata(e.getKey(), e.getValue().textValue());
            }
        }
        JsonNode tags = node.get("tags");
        if (tags != null && !tags.isNull()) {
            if (!tags.isArray()) {
                throw new IllegalArgumentException("tags is not an array");
            }
            for (JsonNode tag : tags) {
                if (!tag.isTextual()) {
                    throw new IllegalArgumentException("a tag is not a string");
                }
                b.tag(tag.textValue());
            }
        }
        try {
            // A default of "now" would differ on every read: the caller names a fixed one, or none.
            String registeredAt = text(node, "registeredAt", registeredAtIfMissing == null ? null : "");
            b.registeredAt(registeredAt.isEmpty() ? registeredAtIfMissing : Instant.parse(registeredAt));
            String updatedAt = text(node, "updatedAt", "");
            if (!updatedAt.isEmpty()) {
                b.updatedAt(Instant.parse(updatedAt));
            }
            b.ttl(Duration.parse(text(node, "ttl", "PT0S")));
        } catch (DateTimeException e) {
            throw new IllegalArgumentException("bad time: " + e.getMessage(), e);
        }
        return b.build(); // an invalid value (port 0, weight -1...) fails here, as InvalidConfigException
    }

    private static String text(JsonNode node, String field, String fallback) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            if (fallback == null) {
                throw new IllegalArgumentException(field + " is missing");
            }
            return fallback;
        }
        if (!value.isTextual()) {
            throw new IllegalArgumentException(field + " is not a string");
        }
        return value.textValue();
    }

    private static int integer(JsonNode node, String field, Integer fallback) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            if (fallback == null) {
                throw new IllegalArgumentException(field + " is missing");
            }
            return fallback;
        }
        if (!value.isInt()) {
            throw new IllegalArgumentException(field + " is not an integer");
        }
        return value.intValue();
    }

    private static Health health(String name) {
        try {
            return Health.valueOf(name);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("health \"" + name + "\" is not one of UP, DOWN, UNKNOWN", e);
        }
    }

    /** The start of some data, printable, for a log line. */
    public static String preview(byte[] data) {
        String text = new String(data, 0, Math.min(data.length, 60), StandardCharsets.UTF_8)
                .replaceAll("\\p{Cntrl}", "?");
        return "\"" + text + (data.length > 60 ? "...\"" : "\"");
    }
}
