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
import java.util.function.BiFunction;

/**
 * Reads one policy document of a config center: JSON (or YAML) checked against the same schema as
 * the configuration file, so {@code {"failureThreshold": 5, "successThreshold": 2, "openStateTimeout": "1m"}}
 * and {@code {"failure-rate": 50, "open-for": "30s"}} are both breakers. A document stands alone:
 * what it leaves out takes Bulwark's defaults.
 */
final class PolicyDocuments {
    private PolicyDocuments() {
    }

    /** One kind of document: the named section its documents are entries of, and how an entry becomes its config. */
    record Kind<C>(String section, BiFunction<BulwarkConfig, String, C> build) {
    }

    static final Kind<CircuitBreakerConfig> BREAKERS = new Kind<>("breakers", PolicySettings::breaker);
    static final Kind<BulkheadConfig> BULKHEADS = new Kind<>("bulkheads", (doc, name) -> PolicySettings.bulkhead(doc, name).config());
    static final Kind<TokenBucketConfig> LIMITERS = new Kind<>("limiters", PolicySettings::limiterConfig);
    static final Kind<RetryConfig> RETRIES = new Kind<>("retries", (doc, name) -> PolicySettings.retry(doc, name).config());

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
        return kind.build().apply(new BulwarkConfig(values), name);
    }
}
