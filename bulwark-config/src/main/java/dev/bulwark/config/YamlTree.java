package dev.bulwark.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * Reads YAML 1.2 into a {@link ConfigNode} tree with SnakeYAML Engine's composer: scalars stay
 * text (the schema types them, so {@code no} is never a boolean), every node keeps its line and
 * column, and a key written twice in one map is an error rather than a silent overwrite.
 */
final class YamlTree {
    private static final int MAX_ALIASES = 50;
    /** Nodes a document may expand to, aliases included: far above any configuration, far below a bomb. */
    private static final int MAX_NODES = 100_000;

    private YamlTree() {
    }

    /** The tree of {@code yaml}, read from {@code source} (a file name, for messages); an empty document is an empty map. */
    static ConfigNode read(String yaml, String source) {
        LoadSettings settings = LoadSettings.builder().setLabel(source).setMaxAliasesForCollections(MAX_ALIASES)
                .setAllowDuplicateKeys(true) // found below, with both positions
                .build();
        Optional<Node> root;
        try {
            root = new Compose(settings).composeString(yaml);
        } catch (MarkedYamlEngineException e) {
            Origin where = e.getProblemMark().map(m -> origin(source, m)).orElse(Origin.file(source, 0, 0));
            throw ConfigException.of("(document)", e.getProblem(), where, "well-formed YAML 1.2");
        } catch (YamlEngineException e) {
            throw ConfigException.of("(document)", e.getMessage(), Origin.file(source, 0, 0), "well-formed YAML 1.2");
        }
        if (root.isEmpty()) {
            return ConfigNode.map(Origin.file(source, 1, 1));
        }
        List<ConfigException.Problem> problems = new ArrayList<>();
        ConfigNode tree = convert(root.get(), source, "", problems, new int[1]);
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return tree;
    }

    private static ConfigNode convert(Node node, String source, String path, List<ConfigException.Problem> problems, int[] nodes) {
        Origin origin = node.getStartMark().map(m -> origin(source, m)).orElse(Origin.file(source, 0, 0));
        if (node.isRecursive()) {
            problems.add(new ConfigException.Problem(path.isEmpty() ? "(document)" : path, "an alias that contains itself", origin,
                    "a tree: an anchor may not be used inside its own value"));
            return ConfigNode.scalar(origin, null);
        }
        if (++nodes[0] > MAX_NODES) {
            if (nodes[0] == MAX_NODES + 1) {
                problems.add(new ConfigException.Problem(path.isEmpty() ? "(document)" : path, "more than " + MAX_NODES + " nodes",
                        origin, "a document of at most " + MAX_NODES + " nodes, aliases expanded"));
            }
            return ConfigNode.scalar(origin, null);
        }
        if (node instanceof MappingNode map) {
            ConfigNode result = ConfigNode.map(origin);
            for (NodeTuple tuple : map.getValue()) {
                Origin keyOrigin = tuple.getKeyNode().getStartMark().map(m -> origin(source, m)).orElse(origin);
                if (!(tuple.getKeyNode() instanceof ScalarNode keyNode)) {
                    problems.add(new ConfigException.Problem(path.isEmpty() ? "(document)" : path, "a complex key", keyOrigin,
                            "keys that are plain text"));
                    continue;
                }
                String key = keyNode.getValue();
                String child = path.isEmpty() ? key : path + "." + key;
                Origin earlier = result.keyOrigins.get(key);
                if (earlier != null) {
                    problems.add(new ConfigException.Problem(child, "written twice", keyOrigin, "each key once (first at "
                            + earlier + ")"));
                    continue;
                }
                result.keyOrigins.put(key, keyOrigin);
                result.entries.put(key, convert(tuple.getValueNode(), source, child, problems, nodes));
            }
            return result;
        }
        if (node instanceof SequenceNode sequence) {
            List<ConfigNode> items = new ArrayList<>();
            for (Node item : sequence.getValue()) {
                items.add(convert(item, source, path + "[" + items.size() + "]", problems, nodes));
            }
            return ConfigNode.list(origin, items);
        }
        ScalarNode scalar = (ScalarNode) node;
        String text = scalar.getValue();
        boolean plain = scalar.isPlain();
        boolean empty = plain && (text.isEmpty() || text.equals("~") || text.equals("null") || text.equals("Null")
                || text.equals("NULL"));
        return ConfigNode.scalar(origin, empty ? null : text);
    }

    private static Origin origin(String source, Mark mark) {
        return Origin.file(source, mark.getLine() + 1, mark.getColumn() + 1);
    }
}
