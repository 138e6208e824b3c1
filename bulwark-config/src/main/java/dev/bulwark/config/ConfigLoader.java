package dev.bulwark.config;

import dev.bulwark.InvalidConfigException;
import dev.bulwark.config.ConfigException.Problem;
import dev.bulwark.config.Spec.Named;
import dev.bulwark.internal.Check;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Reads a {@link BulwarkConfig}: a YAML file (optional), then environment variables over it.
 * Variables are read under two kinds of name, the prefixed ones winning:
 * <ul>
 *   <li>the reference framework's, {@code SERVER_*}, {@code CLIENT_*}, {@code NACOS_*} and
 *       {@code TRACE_*} ({@code CLIENT_CIRCUIT_BREAKER_THRESHOLD}); one of these that names no
 *       setting is left alone, as it may be another program's. Turn them off with
 *       {@link #referenceNames(boolean) referenceNames(false)} where they are taken (Spring Boot
 *       binds {@code SERVER_PORT} to its own server);</li>
 *   <li>any setting under the prefix ({@code BULWARK_} by default): {@code BULWARK_SERVER_PORT},
 *       {@code BULWARK_BREAKERS_HTTP_PAYMENT_API_FAILURE_RATE}. One that names no setting is an
 *       error, with the closest known name.</li>
 * </ul>
 */
public final class ConfigLoader {
    private static final List<String> REFERENCE_ROOTS = List.of("SERVER_", "CLIENT_", "NACOS_", "TRACE_");

    private String yaml;
    private String source = "(none)";
    private Map<String, String> environment = Map.of();
    private String prefix = "BULWARK_";
    private boolean referenceNames = true;

    ConfigLoader() {
    }

    /** Reads {@code file} (UTF-8 YAML 1.2) now; a missing or unreadable file fails here with an {@link UncheckedIOException}. */
    public ConfigLoader file(Path file) {
        Check.notNull("file", file);
        try {
            yaml = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the configuration file " + file, e);
        }
        source = file.getFileName().toString();
        return this;
    }

    /** Reads {@code text} as YAML, naming it {@code sourceName} in messages. */
    public ConfigLoader yaml(String text, String sourceName) {
        yaml = Check.notNull("text", text);
        source = Check.name("sourceName", sourceName);
        return this;
    }

    /** The variables that override the file; {@code System.getenv()} in an application. */
    public ConfigLoader environment(Map<String, String> variables) {
        environment = Map.copyOf(Check.notNull("variables", variables));
        return this;
    }

    /** The prefix of Bulwark's own variables (default {@code BULWARK_}): letters, digits and {@code _}, ending in {@code _}. */
    public ConfigLoader envPrefix(String value) {
        if (value == null || !value.matches("[A-Z][A-Z0-9_]*_")) {
            throw new InvalidConfigException("envPrefix", value, "upper-case letters, digits and _, ending in _, e.g. BULWARK_");
        }
        prefix = value;
        return this;
    }

    /** Whether the reference framework's names ({@code SERVER_*}, {@code CLIENT_*}, {@code NACOS_*}, {@code TRACE_*}) are read (default true). */
    public ConfigLoader referenceNames(boolean enabled) {
        referenceNames = enabled;
        return this;
    }

    /** The configuration, or a {@link ConfigException} with every problem in the file and the variables. */
    public BulwarkConfig load() {
        List<Problem> problems = new ArrayList<>();
        Map<List<String>, Setting> values = new LinkedHashMap<>();
        TreeReader reader = new TreeReader(problems, values);
        if (yaml != null) {
            reader.section(BulwarkSchema.ROOT, YamlTree.read(yaml, source), List.of());
        }
        EnvMapper mapper = new EnvMapper(BulwarkSchema.ROOT, names(values));
        Map<String, String> sorted = new TreeMap<>(environment);
        if (referenceNames) {
            for (Map.Entry<String, String> e : sorted.entrySet()) {
                if (!e.getKey().startsWith(prefix) && REFERENCE_ROOTS.stream().anyMatch(e.getKey()::startsWith)) {
                    apply(mapper, reader, e.getKey(), e.getKey(), e.getValue(), false, problems);
                }
            }
        }
        for (Map.Entry<String, String> e : sorted.entrySet()) {
            if (e.getKey().startsWith(prefix)) {
                apply(mapper, reader, e.getKey(), e.getKey().substring(prefix.length()), e.getValue(), true, problems);
            }
        }
        if (problems.isEmpty()) {
            BulwarkConfig config = new BulwarkConfig(values);
            PolicySettings.check(config, problems);
            if (problems.isEmpty()) {
                return config;
            }
        }
        throw new ConfigException(problems);
    }

    private void apply(EnvMapper mapper, TreeReader reader, String variable, String suffix, String value, boolean strict,
            List<Problem> problems) {
        List<EnvMapper.Match> matches = mapper.resolve(suffix);
        if (matches.size() == 1) {
            EnvMapper.Match match = matches.get(0);
            reader.put(match.leaf(), match.path(), value, Origin.environment(variable));
        } else if (matches.size() > 1) {
            problems.add(new Problem(variable, "ambiguous", Origin.environment(variable), "a variable naming one setting; it names "
                    + matches.stream().map(m -> String.join(".", m.path())).toList()
                    + ": write the name in the file first, so the variable can find it"));
        } else if (strict) {
            String closest = mapper.closest(suffix);
            problems.add(new Problem(variable, "an unknown variable", Origin.environment(variable),
                    closest == null ? "a variable naming a setting, " + prefix + "<SECTION>_<KEY> such as " + prefix + "CLIENT_TIMEOUT"
                            : "a variable naming a setting (did you mean " + prefix + closest + "?)"));
        }
    }

    /** The names the file gave each named section. */
    private static Map<List<String>, Set<String>> names(Map<List<String>, Setting> values) {
        Map<List<String>, Set<String>> names = new HashMap<>();
        for (List<String> path : values.keySet()) {
            Spec spec = BulwarkSchema.ROOT;
            for (int i = 0; i < path.size() && spec != null; i++) {
                if (spec instanceof Named named) {
                    names.computeIfAbsent(List.copyOf(path.subList(0, i)), k -> new java.util.LinkedHashSet<>()).add(path.get(i));
                    spec = named.element();
                } else if (spec instanceof Spec.Section section) {
                    spec = section.child(path.get(i).toLowerCase(Locale.ROOT));
                } else {
                    spec = null;
                }
            }
        }
        return names;
    }
}
