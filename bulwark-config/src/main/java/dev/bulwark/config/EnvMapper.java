package dev.bulwark.config;

import dev.bulwark.config.Spec.Leaf;
import dev.bulwark.config.Spec.Named;
import dev.bulwark.config.Spec.Section;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Finds the setting an environment variable names, by walking the schema: {@code CLIENT_CIRCUIT_BREAKER_THRESHOLD}
 * is {@code client.circuit-breaker-threshold}, {@code BREAKERS_GRPC_USER_SERVICE_FAILURE_RATE} is
 * {@code breakers.grpc:user-service.failure-rate} when the file names {@code grpc:user-service}, and
 * {@code breakers.payment-api.failure-rate} for a name the file does not know. Because the keys are
 * known, a dash inside a key or a name never makes a variable ambiguous.
 */
final class EnvMapper {
    private final Section root;
    /** Names the file gave each named section, by the section's path. */
    private final Map<List<String>, Set<String>> names;

    EnvMapper(Section root, Map<List<String>, Set<String>> names) {
        this.root = root;
        this.names = names;
    }

    /** A resolved variable: its path, and the leaf that types its value. */
    record Match(List<String> path, Leaf leaf) {
    }

    /**
     * The setting {@code suffix} (the variable's name without its prefix) names: one match, none
     * (an empty list), or several when it is ambiguous.
     */
    List<Match> resolve(String suffix) {
        List<String> tokens = Arrays.asList(suffix.toUpperCase(Locale.ROOT).split("_", -1));
        if (tokens.stream().anyMatch(String::isEmpty)) {
            return List.of();
        }
        List<Match> all = new ArrayList<>();
        walk(root, tokens, 0, new ArrayList<>(), all);
        if (all.size() > 1) {
            List<Match> known = all.stream().filter(this::namesKnown).toList();
            if (known.size() == 1) {
                return known;
            }
        }
        return all;
    }

    private void walk(Spec spec, List<String> tokens, int at, List<String> path, List<Match> out) {
        if (spec instanceof Leaf leaf) {
            if (at == tokens.size()) {
                out.add(new Match(List.copyOf(path), leaf));
            }
            return;
        }
        for (int end = at + 1; end <= tokens.size(); end++) {
            List<String> part = tokens.subList(at, end);
            if (spec instanceof Section section) {
                String key = section.resolve(String.join("-", part).toLowerCase(Locale.ROOT));
                Spec child = section.child(key);
                if (child != null) {
                    walk(child, tokens, end, with(path, key), out);
                }
            } else {
                Named named = (Named) spec;
                String written = String.join("_", part);
                String name = names.getOrDefault(path, Set.of()).stream().filter(n -> Keys.environment(n).equals(written))
                        .findFirst().orElse(String.join(named.envSeparator(), part).toLowerCase(Locale.ROOT));
                walk(named.element(), tokens, end, with(path, name), out);
            }
        }
    }

    private boolean namesKnown(Match match) {
        Spec spec = root;
        for (int i = 0; i < match.path().size(); i++) {
            String segment = match.path().get(i);
            if (spec instanceof Section section) {
                spec = section.child(segment);
            } else if (spec instanceof Named named) {
                if (!segment.equals(Named.DEFAULT) && !names.getOrDefault(match.path().subList(0, i), Set.of()).contains(segment)) {
                    return false;
                }
                spec = named.element();
            }
        }
        return true;
    }

    /** The known variable closest to {@code suffix}, for a "did you mean", or null. */
    String closest(String suffix) {
        List<String> known = new ArrayList<>();
        list(root, "", new ArrayList<>(), known);
        String wanted = suffix.toUpperCase(Locale.ROOT);
        return known.stream().min(Comparator.comparingInt(k -> Keys.distance(k, wanted)))
                .filter(k -> Keys.distance(k, wanted) <= Math.max(3, wanted.length() / 4)).orElse(null);
    }

    private void list(Spec spec, String prefix, List<String> path, List<String> out) {
        if (spec instanceof Leaf) {
            out.add(prefix);
        } else if (spec instanceof Section section) {
            for (Map.Entry<String, Spec> e : section.children().entrySet()) {
                list(e.getValue(), join(prefix, Keys.environment(e.getKey())), with(path, e.getKey()), out);
            }
        } else {
            Named named = (Named) spec;
            List<String> all = new ArrayList<>(names.getOrDefault(path, Set.of()));
            all.add(Named.DEFAULT);
            for (String name : all) {
                list(named.element(), join(prefix, Keys.environment(name)), with(path, name), out);
            }
        }
    }

    private static String join(String prefix, String part) {
        return prefix.isEmpty() ? part : prefix + "_" + part;
    }

    private static List<String> with(List<String> path, String segment) {
        List<String> next = new ArrayList<>(path);
        next.add(segment);
        return next;
    }
}
