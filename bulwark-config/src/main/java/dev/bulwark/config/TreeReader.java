package dev.bulwark.config;

import dev.bulwark.config.ConfigException.Problem;
import dev.bulwark.config.Spec.Leaf;
import dev.bulwark.config.Spec.Named;
import dev.bulwark.config.Spec.Section;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Gives a read tree its meaning under the schema: every key known, every value typed, every problem collected. */
final class TreeReader {
    private final List<Problem> problems;
    private final Map<List<String>, Setting> values;

    TreeReader(List<Problem> problems, Map<List<String>, Setting> values) {
        this.problems = problems;
        this.values = values;
    }

    void section(Section section, ConfigNode node, List<String> path) {
        if (node.kind == ConfigNode.Kind.SCALAR && node.text == null) {
            return; // "section:" with nothing under it
        }
        if (node.kind != ConfigNode.Kind.MAP) {
            problems.add(new Problem(show(path), node.describe(), node.origin, "a map of " + section.doc));
            return;
        }
        Map<String, String> seen = new HashMap<>();
        for (Map.Entry<String, ConfigNode> e : node.entries.entrySet()) {
            String key = section.resolve(Keys.canonical(e.getKey()));
            Origin keyOrigin = node.keyOrigins.get(e.getKey());
            List<String> child = append(path, key);
            Spec spec = section.child(key);
            if (spec == null) {
                problems.add(new Problem(show(append(path, e.getKey())), "an unknown key", keyOrigin, knownKeys(section, key)));
                continue;
            }
            String earlier = seen.putIfAbsent(key, e.getKey());
            if (earlier != null) {
                problems.add(new Problem(show(child), e.getKey(), keyOrigin, "each key once (also written " + earlier + ")"));
                continue;
            }
            node(spec, e.getValue(), child);
        }
    }

    private void node(Spec spec, ConfigNode node, List<String> path) {
        if (spec instanceof Section s) {
            section(s, node, path);
        } else if (spec instanceof Named named) {
            named(named, node, path);
        } else {
            leaf((Leaf) spec, node, path);
        }
    }

    private void named(Named named, ConfigNode node, List<String> path) {
        if (node.kind == ConfigNode.Kind.SCALAR && node.text == null) {
            return;
        }
        if (node.kind != ConfigNode.Kind.MAP) {
            problems.add(new Problem(show(path), node.describe(), node.origin, "a map of " + named.doc()));
            return;
        }
        for (Map.Entry<String, ConfigNode> e : node.entries.entrySet()) {
            String name = e.getKey().trim();
            if (name.isEmpty() || name.chars().anyMatch(Character::isWhitespace)) {
                problems.add(new Problem(show(path) + "." + e.getKey(), "a name with spaces", node.keyOrigins.get(e.getKey()),
                        "names without spaces, such as grpc:user-service"));
                continue;
            }
            node(named.element(), e.getValue(), append(path, name));
        }
    }

    private void leaf(Leaf leaf, ConfigNode node, List<String> path) {
        String text;
        if (node.kind == ConfigNode.Kind.LIST) {
            List<String> items = new ArrayList<>();
            for (ConfigNode item : node.items) {
                if (item.kind != ConfigNode.Kind.SCALAR || item.text == null) {
                    problems.add(new Problem(show(path), item.describe(), item.origin, leaf.type().allowed()));
                    return;
                }
                items.add(item.text);
            }
            text = String.join(",", items);
        } else if (node.kind == ConfigNode.Kind.MAP) {
            problems.add(new Problem(show(path), node.describe(), node.origin, leaf.type().allowed()));
            return;
        } else if (node.text == null) {
            return; // "key:" with no value: the default applies
        } else {
            text = node.text;
        }
        put(leaf, path, text, node.origin);
    }

    /** Types {@code text} for the setting at {@code path} and records it, or records the problem. */
    void put(Leaf leaf, List<String> path, String text, Origin origin) {
        try {
            Object value = leaf.type().parse(text);
            values.put(List.copyOf(path), new Setting(List.copyOf(path), value, leaf.type().print(value), origin, leaf.secret()));
        } catch (IllegalArgumentException e) {
            problems.add(new Problem(show(path), leaf.secret() ? "******" : text, origin, leaf.type().allowed()));
        }
    }

    static String show(List<String> path) {
        return path.isEmpty() ? "(document)" : String.join(".", path);
    }

    private static List<String> append(List<String> path, String key) {
        List<String> child = new ArrayList<>(path.size() + 1);
        child.addAll(path);
        child.add(key);
        return child;
    }

    private static String knownKeys(Section section, String key) {
        String closest = section.children().keySet().stream()
                .min((a, b) -> Integer.compare(Keys.distance(a, key), Keys.distance(b, key))).orElse("");
        String known = section.children().keySet().stream().collect(Collectors.joining(", "));
        return (!closest.isEmpty() && Keys.distance(closest, key) <= Math.max(2, key.length() / 3)
                ? "a known key (did you mean " + closest + "?): " : "a known key: ") + known;
    }
}
