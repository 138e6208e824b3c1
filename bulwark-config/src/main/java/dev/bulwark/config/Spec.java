package dev.bulwark.config;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** One node of the schema: a section of keys, a map of named entries, or a setting. */
sealed interface Spec permits Spec.Section, Spec.Named, Spec.Leaf {

    /** Keys known in advance, each with its own spec; keys are canonical (kebab-case). */
    final class Section implements Spec {
        private final Map<String, Spec> children = new LinkedHashMap<>();
        private final Map<String, String> aliases = new LinkedHashMap<>();
        final String doc;

        Section(String doc) {
            this.doc = doc;
        }

        Section leaf(String key, ValueType<?> type, Object defaultValue, String doc) {
            children.put(key, new Leaf(type, defaultValue, false, doc));
            return this;
        }

        Section secret(String key, String doc) {
            children.put(key, new Leaf(ValueType.text(), null, true, doc));
            return this;
        }

        Section add(String key, Spec child) {
            children.put(key, child);
            return this;
        }

        /** Lets {@code alias} stand for {@code key}: the reference breaker's {@code failureThreshold} is {@code consecutive-failures}. */
        Section alias(String alias, String key) {
            aliases.put(alias, key);
            return this;
        }

        /** The key {@code canonicalKey} stands for: itself, or the key it is an alias of. */
        String resolve(String canonicalKey) {
            return aliases.getOrDefault(canonicalKey, canonicalKey);
        }

        Map<String, Spec> children() {
            return Collections.unmodifiableMap(children);
        }

        Spec child(String canonicalKey) {
            return children.get(resolve(canonicalKey));
        }
    }

    /**
     * Entries by a name of the application's choosing ({@code grpc:user-service}), plus
     * {@code default}. A name an environment variable introduces (one the file does not write) is
     * its words joined by {@code envSeparator}: {@code -} for policies, {@code .} for loggers.
     */
    record Named(Spec element, String doc, String envSeparator) implements Spec {
        static final String DEFAULT = "default";

        Named(Spec element, String doc) {
            this(element, doc, "-");
        }
    }

    /** A setting: its type, its default (null: the builder's own default applies) and whether it is a secret. */
    record Leaf(ValueType<?> type, Object defaultValue, boolean secret, String doc) implements Spec {
    }
}
