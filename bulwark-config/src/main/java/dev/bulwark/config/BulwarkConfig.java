package dev.bulwark.config;

import dev.bulwark.breaker.CircuitBreaker;
import dev.bulwark.breaker.CircuitBreakerConfig;
import dev.bulwark.breaker.CircuitBreakers;
import dev.bulwark.bulkhead.Bulkhead;
import dev.bulwark.discovery.RegistryConfig;
import dev.bulwark.fallback.StaleCache;
import dev.bulwark.internal.Check;
import dev.bulwark.config.Spec.Leaf;
import dev.bulwark.config.Spec.Named;
import dev.bulwark.config.Spec.Section;
import dev.bulwark.ratelimit.TokenBucket;
import dev.bulwark.ratelimit.TokenBucketConfig;
import dev.bulwark.ratelimit.TokenBuckets;
import dev.bulwark.registry.PolicyRegistry;
import dev.bulwark.retry.Retry;
import dev.bulwark.retry.RetryConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A Bulwark application's configuration, read from YAML and the environment and checked whole:
 * every key known, every value in range, every combination workable, or a {@link ConfigException}
 * listing each problem with its path, value, line and column (or variable) and what is allowed.
 * It builds the live objects: named policies with a {@code default} ({@link #breakers()},
 * {@link #retry}, {@link #limiter}, {@link #bulkhead}, {@link #timeout}), the registry
 * ({@link #registry()}); {@link GrpcSettings} and {@link HttpSettings} build the gRPC server and
 * channel and the HTTP client.
 *
 * <pre>{@code
 * BulwarkConfig config = BulwarkConfig.loader()
 *     .file(Path.of("bulwark.yaml"))
 *     .environment(System.getenv())        // SERVER_*, CLIENT_*, NACOS_*, TRACE_* and BULWARK_*
 *     .load();
 * System.out.println(config.describe());   // every value and where it came from, secrets masked
 * CircuitBreaker payments = config.breakers().get("http:payment-api");
 * }</pre>
 *
 * <p>Immutable and thread-safe; every call of a policy method builds a new instance, except
 * {@link #breakers()}, which returns one registry for the whole configuration.
 */
public final class BulwarkConfig {
    private final Map<List<String>, Setting> values;
    private volatile PolicyRegistry<CircuitBreaker, CircuitBreakerConfig> breakers;
    private volatile PolicyRegistry<TokenBucket, TokenBucketConfig> limiters;
    private volatile PolicyRegistry<Retry, RetryConfig> retries;

    BulwarkConfig(Map<List<String>, Setting> values) {
        this.values = Map.copyOf(values);
    }

    /** A loader of YAML and environment variables. */
    public static ConfigLoader loader() {
        return new ConfigLoader();
    }

    /** A configuration with nothing set: every default. */
    public static BulwarkConfig defaults() {
        return new ConfigLoader().load();
    }

    /**
     * The value at {@code path} ({@code client.timeout}, {@code breakers.default.failure-rate}) as
     * set, or its default; empty when neither exists. Durations are {@link Duration}s, sizes
     * {@code Long}s, lists {@code List<String>}.
     */
    public Optional<Object> value(String path) {
        List<String> segments = path(path);
        Setting set = values.get(segments);
        if (set != null) {
            return Optional.of(set.value());
        }
        return Optional.ofNullable(leaf(segments).defaultValue());
    }

    /** Where the value at {@code path} came from: {@link Origin#DEFAULT} when nothing set it. */
    public Origin origin(String path) {
        Setting set = values.get(path(path));
        return set == null ? Origin.DEFAULT : set.origin();
    }

    /** The names written under a named section ({@code breakers}, {@code logging.levels}...), {@code default} included when written. */
    public Set<String> names(String section) {
        List<String> at = path(section);
        Spec spec = BulwarkSchema.ROOT;
        for (String segment : at) {
            spec = spec instanceof Section s ? s.child(segment) : null;
        }
        if (!(spec instanceof Named)) {
            throw new ConfigException(List.of(new ConfigException.Problem(section, "not a named section", Origin.DEFAULT,
                    "breakers, retries, limiters, bulkheads, timeouts or logging.levels")));
        }
        return namesUnder(at);
    }

    /**
     * The entries of a named section whose entries are single values ({@code timeouts},
     * {@code logging.levels}), by name, in the order written; names may hold dots
     * ({@code io.grpc.netty}).
     */
    public Map<String, Object> namedValues(String section) {
        List<String> at = path(section);
        names(section); // checks it is a named section
        Map<String, Object> entries = new java.util.LinkedHashMap<>();
        for (Map.Entry<List<String>, Setting> e : values.entrySet()) {
            List<String> p = e.getKey();
            if (p.size() == at.size() + 1 && p.subList(0, at.size()).equals(at)) {
                entries.put(p.get(at.size()), e.getValue().value());
            }
        }
        return entries;
    }

    /**
     * Every setting with its value and origin, one per line, secrets masked: what the application
     * runs with, for its startup log.
     */
    public String describe() {
        List<String[]> rows = new ArrayList<>();
        describe(BulwarkSchema.ROOT, new ArrayList<>(), rows);
        int width = rows.stream().mapToInt(r -> r[0].length()).max().orElse(0);
        StringBuilder b = new StringBuilder();
        for (String[] row : rows) {
            b.append(row[0]).append(" ".repeat(width - row[0].length())).append("  # ").append(row[1]).append('\n');
        }
        return b.toString();
    }

    private void describe(Spec spec, List<String> path, List<String[]> rows) {
        if (spec instanceof Leaf leaf) {
            Setting set = values.get(path);
            if (set != null) {
                rows.add(new String[] {set.pathText() + " = " + set.shown(), set.origin().toString()});
            } else if (leaf.defaultValue() != null) {
                rows.add(new String[] {String.join(".", path) + " = " + leaf.type().print(leaf.defaultValue()), "default"});
            }
        } else if (spec instanceof Section section) {
            for (Map.Entry<String, Spec> e : section.children().entrySet()) {
                describe(e.getValue(), with(path, e.getKey()), rows);
            }
        } else {
            for (String name : namesUnder(path)) {
                describeSet(((Named) spec).element(), with(path, name), rows);
            }
        }
    }

    /** A named entry's own settings only: defaults are listed once, under the section's default. */
    private void describeSet(Spec spec, List<String> path, List<String[]> rows) {
        if (spec instanceof Leaf) {
            Setting set = values.get(path);
            if (set != null) {
                rows.add(new String[] {set.pathText() + " = " + set.shown(), set.origin().toString()});
            }
        } else if (spec instanceof Section section) {
            for (String key : section.children().keySet()) {
                describeSet(section.child(key), with(path, key), rows);
            }
        }
    }

    /** The breaker config of {@code name}: its own settings over {@code default}'s over Bulwark's. */
    public CircuitBreakerConfig breakerConfig(String name) {
        return PolicySettings.breaker(this, Check.name("name", name));
    }

    /**
     * One registry of every breaker, each created from its name's config ({@code default} for
     * names not written); the same registry on every call, so live updates
     * ({@link LivePolicies}) reach the breakers the application uses.
     */
    public PolicyRegistry<CircuitBreaker, CircuitBreakerConfig> breakers() {
        PolicyRegistry<CircuitBreaker, CircuitBreakerConfig> r = breakers;
        if (r == null) {
            synchronized (this) {
                r = breakers;
                if (r == null) {
                    r = CircuitBreakers.registry(breakerConfig(Named.DEFAULT));
                    for (String name : names("breakers")) {
                        if (!name.equals(Named.DEFAULT)) {
                            r.configure(name, breakerConfig(name));
                        }
                    }
                    breakers = r;
                }
            }
        }
        return r;
    }

    /**
     * One registry of every retry, each created from its name's settings over {@code default}'s,
     * the same on every call, so live updates ({@link LivePolicies#retries}) reach the retries the
     * application's pools and channels hold.
     */
    public PolicyRegistry<Retry, RetryConfig> retries() {
        PolicyRegistry<Retry, RetryConfig> r = retries;
        if (r == null) {
            synchronized (this) {
                r = retries;
                if (r == null) {
                    // Created with the whole of a name's settings (its budget too), then run the
                    // attempts, backoff and time budget the registry holds for it now.
                    r = PolicyRegistry.of(PolicySettings.retry(this, Named.DEFAULT).config(), new PolicyRegistry.Kind<>() {
                        @Override
                        public Retry create(String name, RetryConfig config) {
                            Retry retry = PolicySettings.retry(BulwarkConfig.this, name);
                            retry.reconfigure(config);
                            return retry;
                        }

                        @Override
                        public void reconfigure(Retry retry, RetryConfig config) {
                            retry.reconfigure(config);
                        }
                    });
                    for (String name : names("retries")) {
                        if (!name.equals(Named.DEFAULT)) {
                            r.configure(name, PolicySettings.retry(this, name).config());
                        }
                    }
                    retries = r;
                }
            }
        }
        return r;
    }

    /** A retry policy named {@code name} from its settings over {@code default}'s. */
    public Retry retry(String name) {
        return PolicySettings.retry(this, Check.name("name", name));
    }

    /**
     * One registry of every token bucket, each created from its name's config ({@code default} for
     * names not written), the same on every call; empty when no rate is written for
     * {@code default}, as then a name without its own has no rate to run.
     */
    public Optional<PolicyRegistry<TokenBucket, TokenBucketConfig>> limiters() {
        PolicyRegistry<TokenBucket, TokenBucketConfig> r = limiters;
        if (r == null && named("limiters", Named.DEFAULT, "permits-per-second", Double.class).isPresent()) {
            synchronized (this) {
                r = limiters;
                if (r == null) {
                    r = TokenBuckets.registry(PolicySettings.limiterConfig(this, Named.DEFAULT));
                    for (String name : names("limiters")) {
                        if (!name.equals(Named.DEFAULT)) {
                            r.configure(name, PolicySettings.limiterConfig(this, name));
                        }
                    }
                    limiters = r;
                }
            }
        }
        return Optional.ofNullable(r);
    }

    /** A token bucket named {@code name}; its rate must be set for the name or for {@code default}. */
    public TokenBucket limiter(String name) {
        return PolicySettings.limiter(this, Check.name("name", name));
    }

    /** The limiter's longest wait for a permit ({@code limiters.<name>.max-wait}). */
    public Duration limiterMaxWait(String name) {
        return named("limiters", Check.name("name", name), "max-wait", Duration.class).orElse(Duration.ZERO);
    }

    /** A semaphore bulkhead named {@code name}; its size must be set for the name or for {@code default}. */
    public Bulkhead bulkhead(String name) {
        return PolicySettings.bulkhead(this, Check.name("name", name));
    }

    /** The time limit of {@code name}, or of {@code default}; empty when neither is set. */
    public Optional<Duration> timeout(String name) {
        Setting own = values.get(List.of("timeouts", Check.name("name", name)));
        Setting fallback = values.get(List.of("timeouts", Named.DEFAULT));
        Setting chosen = own != null ? own : fallback;
        return chosen == null ? Optional.empty() : Optional.of((Duration) chosen.value());
    }

    /**
     * A stale cache named {@code name} from its settings over {@code default}'s
     * ({@code max-staleness} must be set for one of them), ready to be built, or given a
     * predicate or ticker first.
     */
    public <K, V> StaleCache.Builder<K, V> staleCache(String name) {
        return PolicySettings.staleCache(this, Check.name("name", name));
    }

    /** The service registry: the {@code registry} section, or the reference framework's {@code nacos} section. */
    public RegistryConfig registry() {
        return PolicySettings.registry(this);
    }

    // ---- package-private reads for the settings builders ----

    /** The value at {@code path} as set or by default. */
    <T> Optional<T> get(List<String> path, Class<T> type) {
        Setting set = values.get(path);
        Object value = set != null ? set.value() : leaf(path).defaultValue();
        return Optional.ofNullable(value).map(type::cast);
    }

    /** Whether anything set the value at {@code path}. */
    boolean isSet(List<String> path) {
        return values.containsKey(path);
    }

    Setting setting(List<String> path) {
        return values.get(path);
    }

    /** A named entry's value: its own, else {@code default}'s, else Bulwark's default. */
    <T> Optional<T> named(String section, String name, String key, Class<T> type) {
        Setting own = values.get(List.of(section, name, key));
        if (own != null) {
            return Optional.of(type.cast(own.value()));
        }
        return get(List.of(section, Named.DEFAULT, key), type);
    }

    /** The origin of a named entry's value, for error messages. */
    Origin namedOrigin(String section, String name, String key) {
        Setting own = namedSetting(section, name, key);
        return own == null ? Origin.DEFAULT : own.origin();
    }

    /** The setting a named entry's value comes from (its own, else {@code default}'s); null when neither is written. */
    Setting namedSetting(String section, String name, String key) {
        Setting own = values.get(List.of(section, name, key));
        return own != null ? own : values.get(List.of(section, Named.DEFAULT, key));
    }

    Set<String> namesUnder(List<String> section) {
        Set<String> names = new LinkedHashSet<>();
        for (List<String> path : values.keySet()) {
            if (path.size() > section.size() && path.subList(0, section.size()).equals(section)) {
                names.add(path.get(section.size()));
            }
        }
        return names;
    }

    private static Leaf leaf(List<String> path) {
        Spec spec = BulwarkSchema.ROOT;
        for (String segment : path) {
            if (spec instanceof Section section) {
                spec = section.child(segment);
            } else if (spec instanceof Named named) {
                spec = named.element();
            } else {
                spec = null;
            }
            if (spec == null) {
                break;
            }
        }
        if (!(spec instanceof Leaf leaf)) {
            throw new ConfigException(List.of(new ConfigException.Problem(String.join(".", path), "not a setting", Origin.DEFAULT,
                    "the path of a setting, such as client.timeout or breakers.default.failure-rate")));
        }
        return leaf;
    }

    /** {@code breakers.grpc:user-service.failure-rate} as segments: a named section takes exactly one segment as the name. */
    private static List<String> path(String text) {
        List<String> raw = Arrays.asList(Check.notNull("path", text).split("\\."));
        List<String> segments = new ArrayList<>();
        Spec spec = BulwarkSchema.ROOT;
        for (int i = 0; i < raw.size(); i++) {
            if (spec instanceof Named named) {
                segments.add(raw.get(i));
                spec = named.element();
            } else if (spec instanceof Section section) {
                String key = Keys.canonical(raw.get(i));
                segments.add(key);
                spec = section.child(key);
            } else {
                segments.add(raw.get(i));
            }
            if (spec == null) {
                segments.addAll(raw.subList(i + 1, raw.size()));
                break;
            }
        }
        return segments;
    }

    private static List<String> with(List<String> path, String segment) {
        List<String> next = new ArrayList<>(path);
        next.add(segment);
        return next;
    }
}
