package dev.bulwark.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A configuration tree as read, before the schema gives it meaning: maps, lists and texts, each with its origin. */
final class ConfigNode {
    enum Kind {
        MAP, LIST, SCALAR
    }

    final Kind kind;
    final Origin origin;
    /** A map's entries by key as written, in the source's order. */
    final Map<String, ConfigNode> entries;
    /** A map's keys' own origins, by key as written. */
    final Map<String, Origin> keyOrigins;
    final List<ConfigNode> items;
    /** A scalar's text; null for an empty value ({@code key:}, {@code ~}, {@code null}). */
    final String text;

    private ConfigNode(Kind kind, Origin origin, Map<String, ConfigNode> entries, Map<String, Origin> keyOrigins,
            List<ConfigNode> items, String text) {
        this.kind = kind;
        this.origin = origin;
        this.entries = entries;
        this.keyOrigins = keyOrigins;
        this.items = items;
        this.text = text;
    }

    static ConfigNode map(Origin origin) {
        return new ConfigNode(Kind.MAP, origin, new LinkedHashMap<>(), new LinkedHashMap<>(), List.of(), null);
    }

    static ConfigNode list(Origin origin, List<ConfigNode> items) {
        return new ConfigNode(Kind.LIST, origin, Map.of(), Map.of(), Collections.unmodifiableList(items), null);
    }

    static ConfigNode scalar(Origin origin, String text) {
        return new ConfigNode(Kind.SCALAR, origin, Map.of(), Map.of(), List.of(), text);
    }

    /** What this node is, for error messages: "a map", "a list", or the text. */
    String describe() {
        return switch (kind) {
            case MAP -> "a map";
            case LIST -> "a list";
            case SCALAR -> text == null ? "(empty)" : text;
        };
    }
}
