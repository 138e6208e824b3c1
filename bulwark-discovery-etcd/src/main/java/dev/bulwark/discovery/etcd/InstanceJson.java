package dev.bulwark.discovery.etcd;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.discovery.Health;
import dev.bulwark.discovery.ServiceInstance;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;

/**
 * {@link ServiceInstance} to JSON and back, field by field, so the stored format is ours and not
 * whatever a data-binding library infers from the class: instants as ISO-8601 strings
 * ({@code 2025-01-31T12:00:00.123Z}), the TTL as an ISO-8601 duration ({@code PT15S}), health as
 * its enum name. Other tools may write instances too, so reading is lenient about what it can
 * default (unknown fields are ignored; only service, id, host and port are required) and strict
 * about what it cannot (a mistyped field, or a value the instance builder refuses, is corrupt).
 *
 * <pre>{@code
 * {"service":"users","id":"users-10.0.0.7:8080","host":"10.0.0.7","port":8080,"version":"1.4.2",
 *  "protocol":"grpc","health":"UP","weight":2,"zone":"eu-west-1a","metadata":{"commit":"9f2c1e"},
 *  "tags":["canary"],"registeredAt":"2025-01-31T12:00:00Z","updatedAt":"2025-01-31T12:00:00Z","ttl":"PT15S"}
 * }</pre>
 */
final class InstanceJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private InstanceJson() {
    }

    static byte[] write(ServiceInstance instance) {
        ObjectNode node = MAPPER.createObjectNode();
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
            return MAPPER.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + instance + " as JSON", e); // a tree of strings and ints always writes
        }
    }

    /**
     * Reads an instance stored under {@code service}/{@code instanceId}.
     *
     * @throws CorruptValueException if the value is no such instance
     */
    static ServiceInstance read(byte[] json, String service, String instanceId) {
        JsonNode node;
        try {
            node = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new CorruptValueException("not JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new CorruptValueException("not JSON", e);
        }
        if (node == null || !node.isObject()) {
            throw new CorruptValueException("not a JSON object");
        }
        String storedService = text(node, "service", null);
        String storedId = text(node, "id", null);
        if (!service.equals(storedService)) {
            throw new CorruptValueException("service \"" + storedService + "\" stored under service \"" + service + "\"");
        }
        if (!instanceId.equals(storedId)) {
            throw new CorruptValueException("id \"" + storedId + "\" stored under id \"" + instanceId + "\"");
        }
        JsonNode port = node.get("port");
        if (port == null || !port.isInt()) {
            throw new CorruptValueException("port: " + (port == null ? "missing" : port + " is not an integer"));
        }
        try {
            Instant registeredAt = instant(node, "registeredAt", Instant.EPOCH);
            ServiceInstance.Builder b = ServiceInstance.builder(service, text(node, "host", null), port.intValue())
                    .id(instanceId)
                    .version(text(node, "version", ""))
                    .protocol(text(node, "protocol", "http"))
                    .health(health(node))
                    .weight(integer(node, "weight", 1))
                    .zone(text(node, "zone", ""))
                    .metadata(metadata(node))
                    .registeredAt(registeredAt)
                    .updatedAt(instant(node, "updatedAt", registeredAt))
                    .ttl(duration(node, "ttl"));
            for (String tag : tags(node)) {
                b.tag(tag);
            }
            return b.build();
        } catch (IllegalArgumentException e) { // InvalidConfigException from the builder included
            throw new CorruptValueException("refused", e);
        }
    }

    private static String text(JsonNode node, String field, String fallback) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            if (fallback == null) {
                throw new CorruptValueException(field + ": missing");
            }
            return fallback;
        }
        if (!value.isTextual()) {
            throw new CorruptValueException(field + ": " + value + " is not a string");
        }
        return value.textValue();
    }

    private static int integer(JsonNode node, String field, int fallback) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            return fallback;
        }
        if (!value.isInt()) {
            throw new CorruptValueException(field + ": " + value + " is not an integer");
        }
        return value.intValue();
    }

    private static Health health(JsonNode node) {
        String name = text(node, "health", Health.UNKNOWN.name());
        try {
            return Health.valueOf(name);
        } catch (IllegalArgumentException e) {
            throw new CorruptValueException("health: \"" + name + "\" is none of UP, DOWN, UNKNOWN");
        }
    }

    private static Instant instant(JsonNode node, String field, Instant fallback) {
        String text = text(node, field, "");
        try {
            return text.isEmpty() ? fallback : Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new CorruptValueException(field + ": \"" + text + "\" is not an ISO-8601 instant");
        }
    }

    private static Duration duration(JsonNode node, String field) {
        String text = text(node, field, "");
        try {
            return text.isEmpty() ? Duration.ZERO : Duration.parse(text);
        } catch (DateTimeParseException e) {
            throw new CorruptValueException(field + ": \"" + text + "\" is not an ISO-8601 duration");
        }
    }

    private static Map<String, String> metadata(JsonNode node) {
        JsonNode value = node.get("metadata");
        Map<String, String> out = new java.util.TreeMap<>();
        if (value == null || value.isNull()) {
            return out;
        }
        if (!value.isObject()) {
            throw new CorruptValueException("metadata: not an object");
        }
        for (Map.Entry<String, JsonNode> e : value.properties()) {
            if (!e.getValue().isTextual()) {
                throw new CorruptValueException("metadata[" + e.getKey() + "]: " + e.getValue() + " is not a string");
            }
            out.put(e.getKey(), e.getValue().textValue());
        }
        return out;
    }

    private static Iterable<String> tags(JsonNode node) {
        JsonNode value = node.get("tags");
        java.util.List<String> out = new java.util.ArrayList<>();
        if (value == null || value.isNull()) {
            return out;
        }
        if (!value.isArray()) {
            throw new CorruptValueException("tags: not an array");
        }
        for (JsonNode tag : value) {
            if (!tag.isTextual()) {
                throw new CorruptValueException("tags: " + tag + " is not a string");
            }
            out.add(tag.textValue());
        }
        return out;
    }
}
