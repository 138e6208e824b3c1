package dev.bulwark.config;

import dev.bulwark.breaker.CircuitBreaker;
import dev.bulwark.breaker.CircuitBreakerConfig;
import dev.bulwark.bulkhead.Bulkhead;
import dev.bulwark.bulkhead.BulkheadConfig;
import dev.bulwark.internal.Check;
import dev.bulwark.internal.Events;
import dev.bulwark.ratelimit.TokenBucket;
import dev.bulwark.ratelimit.TokenBucketConfig;
import dev.bulwark.registry.PolicyRegistry;
import dev.bulwark.retry.Retry;
import dev.bulwark.retry.RetryConfig;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Named policies (breakers, retries, token buckets, bulkheads) that follow a config center: one document
 * per name under a directory, in the layout {@code {root}/{env}/{service}/breakers/{name}.json}
 * (and {@code .../retries/}, {@code .../limiters/}, {@code .../bulkheads/}) ({@code default.json},
 * {@code grpc:user-service.json}, {@code http:payment-api.json}), applied to the live instances of a
 * {@link PolicyRegistry}.
 *
 * <pre>{@code
 * PolicyRegistry<CircuitBreaker, CircuitBreakerConfig> breakers = config.breakers();
 * LivePolicies live = LivePolicies.breakers(breakers, EtcdPolicySource.connect("http://127.0.0.1:2379"),
 *     LivePolicies.directory("/config", "production", "orders", "breakers"));
 * breakers.get("http:payment-api").call(() -> "paid");     // runs the policy the center holds now
 * }</pre>
 *
 * <ul>
 *   <li>A changed document is read against the configuration schema and applied only if it is
 *       whole and valid; applying keeps the instance's state (an open breaker stays open).</li>
 *   <li>A bad one (malformed, unknown key, out of range, an impossible combination) changes
 *       nothing: the last good policy stays, the refusal is counted ({@link #refusals()}), logged
 *       with its reason, and kept in the name's {@link #status}.</li>
 *   <li>Each update, refusal and deletion is logged as an event under
 *       {@code dev.bulwark.events.policy} ({@code policy updated}, {@code policy refused},
 *       {@code policy deleted}) with {@code kind}, {@code name}, {@code revision}, {@code key} and,
 *       for a refusal, {@code reason}.</li>
 *   <li>{@code default.json} is the default of every name without a policy of its own (neither
 *       a document nor a config given in the application, such as a {@code breakers} entry of the
 *       configuration file); a deleted document sends its name back to the policy it ran before
 *       its first document (its configured one, or the default), and a deleted
 *       {@code default.json} brings back the registry's own default (never "no policy").</li>
 *   <li>After a config-center outage the source delivers every change made meanwhile.</li>
 * </ul>
 * Thread-safe; changes are applied on the source's thread.
 */
public final class LivePolicies implements AutoCloseable {
    private static final String SUFFIX = ".json";

    private final String prefix;
    private final String kind;
    private final PolicySource.Subscription subscription;
    private final Map<String, PolicyStatus> statuses = new ConcurrentHashMap<>();
    private final AtomicLong refusals = new AtomicLong();

    private <P, C> LivePolicies(PolicyRegistry<P, C> registry, PolicyDocuments.Kind<C> kind, PolicySource source, String prefix) {
        this.prefix = prefix;
        this.kind = kind.section();
        C baseDefault = registry.defaultConfig();
        // What each name ran before its first document (its own config from the application, or
        // none): a deleted document brings that back.
        Map<String, Optional<C>> bases = new ConcurrentHashMap<>();
        this.subscription = source.watch(prefix, new PolicySource.Listener() {
            @Override
            public void onPut(String key, byte[] value, long revision) {
                String name = nameOf(key);
                if (name == null) {
                    return;
                }
                C config;
                try {
                    config = PolicyDocuments.read(kind, key, name, value);
                    if (!name.equals(Spec.Named.DEFAULT)) {
                        Check.name("name", name);
                    }
                } catch (IllegalArgumentException e) { // a ConfigException, or a name no policy may have
                    refusals.incrementAndGet();
                    PolicyStatus before = statuses.get(name);
                    statuses.put(name, new PolicyStatus(name, before == null ? key : before.key(),
                            before == null ? 0 : before.revision(), Optional.of(e.getMessage()), revision));
                    Events.warn(Events.POLICY, "policy refused", "kind", kind.section(), "name", name, "revision", revision,
                            "key", key, "reason", e.getMessage());
                    return;
                }
                if (name.equals(Spec.Named.DEFAULT)) {
                    registry.applyDefault(config);
                } else {
                    bases.computeIfAbsent(name, registry::ownConfig);
                    registry.apply(name, config);
                }
                statuses.put(name, new PolicyStatus(name, key, revision, Optional.empty(), 0));
                Events.info(Events.POLICY, "policy updated", "kind", kind.section(), "name", name, "revision", revision, "key", key);
            }

            @Override
            public void onDelete(String key, long revision) {
                String name = nameOf(key);
                if (name == null) {
                    return;
                }
                if (name.equals(Spec.Named.DEFAULT)) {
                    registry.applyDefault(baseDefault);
                } else {
                    Optional<C> base = bases.remove(name);
                    if (base != null && base.isPresent()) {
                        registry.apply(name, base.get());
                    } else {
                        registry.useDefault(name);
                    }
                }
                statuses.remove(name);
                Events.info(Events.POLICY, "policy deleted", "kind", kind.section(), "name", name, "revision", revision, "key", key,
                        "now", "the name's configured policy, or the default");
            }
        });
    }

    /** Breakers of {@code registry} following the documents under {@code directory} of {@code source}. */
    public static LivePolicies breakers(PolicyRegistry<CircuitBreaker, CircuitBreakerConfig> registry, PolicySource source,
            String directory) {
        return new LivePolicies(Check.notNull("registry", registry), PolicyDocuments.BREAKERS, Check.notNull("source", source),
                normalize(directory));
    }

    /** Bulkheads of {@code registry} following the documents under {@code directory} of {@code source}. */
    public static LivePolicies bulkheads(PolicyRegistry<Bulkhead, BulkheadConfig> registry, PolicySource source,
            String directory) {
        return new LivePolicies(Check.notNull("registry", registry), PolicyDocuments.BULKHEADS, Check.notNull("source", source),
                normalize(directory));
    }

    /** Token buckets of {@code registry} following the documents under {@code directory} of {@code source}. */
    public static LivePolicies limiters(PolicyRegistry<TokenBucket, TokenBucketConfig> registry, PolicySource source,
            String directory) {
        return new LivePolicies(Check.notNull("registry", registry), PolicyDocuments.LIMITERS, Check.notNull("source", source),
                normalize(directory));
    }

    /**
     * Retries of {@code registry} following the documents under {@code directory} of
     * {@code source}: attempts, backoff and time budget change on the live retries, and so in the
     * pools and channels holding them.
     */
    public static LivePolicies retries(PolicyRegistry<Retry, RetryConfig> registry, PolicySource source, String directory) {
        return new LivePolicies(Check.notNull("registry", registry), PolicyDocuments.RETRIES, Check.notNull("source", source),
                normalize(directory));
    }

    /** The directory of one kind of policy: {@code {root}/{env}/{service}/{kind}/}. */
    public static String directory(String root, String env, String service, String kind) {
        return normalize(String.join("/", Check.notNull("root", root).replaceAll("/+$", ""), Check.name("env", env),
                Check.name("service", service), Check.name("kind", kind)));
    }

    /** The kind of policy followed: {@code breakers}, {@code retries}, {@code limiters} or {@code bulkheads}. */
    public String kind() {
        return kind;
    }

    /** What {@code name} runs from the center; empty when no document for it was ever seen. */
    public Optional<PolicyStatus> status(String name) {
        return Optional.ofNullable(statuses.get(name));
    }

    /** Every name's status, by name. */
    public Map<String, PolicyStatus> statuses() {
        return new TreeMap<>(statuses);
    }

    /** Documents refused since this started. */
    public long refusals() {
        return refusals.get();
    }

    @Override
    public void close() {
        subscription.close();
    }

    /** {@code http:payment-api} for {@code <prefix>http:payment-api.json}; null for keys that are not documents here. */
    private String nameOf(String key) {
        if (!key.startsWith(prefix) || !key.endsWith(SUFFIX)) {
            return null;
        }
        String name = key.substring(prefix.length(), key.length() - SUFFIX.length());
        return name.isEmpty() || name.contains("/") ? null : name;
    }

    private static String normalize(String directory) {
        Check.notNull("directory", directory);
        return directory.endsWith("/") ? directory : directory + "/";
    }
}
