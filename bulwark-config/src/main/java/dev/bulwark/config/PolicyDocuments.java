package dev.bulwark.config;

import dev.bulwark.breaker.CircuitBreakerConfig;
import dev.bulwark.bulkhead.BulkheadConfig;
import dev.bulwark.config.ConfigException.Problem;
import dev.bulwark.ratelimit.TokenBucketConfig;
import dev.bulwark.retry.RetryConfig;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads one policy document of a config center: JSON (or YAML) checked against the same schema as
 * the configuration file, so {@code {"failureThreshold": 5, "successThreshold": 2, "openStateTimeout": "1m"}}
 * and {@code {"failure-rate": 50, "open-for": "30s"}} are both breakers. A document stands alone:
 * what it leaves out takes Bulwark's defaults.
 */
final class PolicyDocuments {
    private PolicyDocuments() {
    }

    /** A parser of one kind of document into its config. */
    interface Kind<C> {
        /** The named section the documents are entries of: {@code breakers}, {@code bulkheads}. */
        String section();

        C build(BulwarkConfig document, String name);
    }

    static final Kind<CircuitBreakerConfig> BREAKERS = new Kind<>() {
        @Override
        public String section() {
            return "breakers";
        }

        @Override
        public CircuitBreakerConfig build(BulwarkConfig document, String name) {
            return PolicySettings.breaker(document, name);
        }
    };

    static final Kind<BulkheadConfig> BULKHEADS = new Kind<>() {
        @Override
        public String section() {
            return "bulkheads";
        }

        @Override
        public BulkheadConfig build(BulwarkConfig document, String name) {
            return PolicySettings.bulkhead(document, name).config();
        }
    };

    static final Kind<TokenBucketConfig> LIMITERS = new Kind<>() {
        @Override
        public String section() {
            return "limiters";
        }

        @Override
        public TokenBucketConfig build(BulwarkConfig document, String name) {
            return PolicySettings.limiterConfig(document, name);
        }
    };

    static final Kind<RetryConfig> RETRIES = new Kind<>() {
        @Override
        public String section() {
            return "retries";
        }

        @Override
        public RetryConfig build(BulwarkConfig document, String name) {
            return PolicySettings.retry(document, name).config();
        }
    };

    /** The config in {@code bytes}, the document at {@code key} for {@code name}; a {@link ConfigException} naming what is wrong. */
    static <C> C read(Kind<C> kind, String key, String name, byte[] bytes) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw ConfigException.of(key, "bytes that are not UTF-8", Origin.file(key, 0, 0), "a UTF-8 JSON document");
        }
        ConfigNode tree = YamlTree.read(text, key);
        if (tree.kind != ConfigNode.Kind.MAP || tree.entries.isEmpty()) {
            // An empty file is more often one caught half-written than a wish for every default.
            throw ConfigException.of(key, tree.kind == ConfigNode.Kind.MAP ? "an empty document" : tree.describe(), tree.origin,
                    "a JSON object with at least one setting");
        }
        List<Problem> problems = new ArrayList<>();
        Map<List<String>, Setting> values = new LinkedHashMap<>();
        new TreeReader(problems, values).section(BulwarkSchema.entry(kind.section()), tree, List.of(kind.section(), name));
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return kind.build(new BulwarkConfig(values), name);
    }
}
