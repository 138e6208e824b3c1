package dev.bulwark.config;

import dev.bulwark.InvalidConfigException;
import dev.bulwark.breaker.CircuitBreakerConfig;
import dev.bulwark.bulkhead.Bulkhead;
import dev.bulwark.bulkhead.BulkheadConfig;
import dev.bulwark.config.ConfigException.Problem;
import dev.bulwark.config.Spec.Named;
import dev.bulwark.discovery.RegistryConfig;
import dev.bulwark.fallback.StaleCache;
import dev.bulwark.internal.Check;
import dev.bulwark.ratelimit.TokenBucket;
import dev.bulwark.ratelimit.TokenBucketConfig;
import dev.bulwark.retry.Backoff;
import dev.bulwark.retry.Jitter;
import dev.bulwark.retry.Retry;
import dev.bulwark.retry.RetryBudget;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/** Builds the policies of a {@link BulwarkConfig}, and checks at load that each written one can be built. */
final class PolicySettings {
    /** The breaker settings that are trip rules: a breaker needs one. */
    private static final List<String> RULES = List.of("consecutive-failures", "failure-rate", "slow-call-rate", "timeout-rate");

    private PolicySettings() {
    }

    static CircuitBreakerConfig breaker(BulwarkConfig c, String name) {
        return building("breakers", name, c, () -> {
            CircuitBreakerConfig.Builder b = CircuitBreakerConfig.builder();
            boolean anyRule = RULES.stream().anyMatch(rule -> c.named("breakers", name, rule, Object.class).isPresent());
            // No rule written: Bulwark's default rule (five failures in a row), with the other settings as written.
            c.named("breakers", name, "consecutive-failures", Integer.class)
                    .or(() -> anyRule ? Optional.empty() : Optional.of(CircuitBreakerConfig.defaults().consecutiveFailures()))
                    .ifPresent(b::consecutiveFailures);
            c.named("breakers", name, "failure-rate", Double.class).ifPresent(b::failureRate);
            Optional<Duration> slow = c.named("breakers", name, "slow-call-duration", Duration.class);
            Optional<Double> slowRate = c.named("breakers", name, "slow-call-rate", Double.class);
            if (slowRate.isPresent()) {
                b.slowCallRate(slowRate.get(), slow.orElseThrow(() -> new InvalidConfigException("slowCallDuration", "(unset)",
                        "a duration when slow-call-rate is set: what counts as slow")));
            } else {
                slow.ifPresent(b::slowCallDuration);
            }
            c.named("breakers", name, "timeout-rate", Double.class).ifPresent(b::timeoutRate);
            Optional<Integer> count = c.named("breakers", name, "count-window", Integer.class);
            Optional<Duration> time = c.named("breakers", name, "time-window", Duration.class);
            if (count.isPresent() && time.isPresent()) {
                throw new InvalidConfigException("timeWindow", Units.text(time.get()), "either count-window or time-window, not both");
            }
            count.ifPresent(b::countWindow);
            time.ifPresent(b::timeWindow);
            c.named("breakers", name, "minimum-calls", Integer.class).ifPresent(b::minimumCalls);
            c.named("breakers", name, "open-for", Duration.class).ifPresent(b::openFor);
            c.named("breakers", name, "half-open-probes", Integer.class).ifPresent(b::halfOpenProbes);
            c.named("breakers", name, "half-open-successes", Integer.class).ifPresent(b::halfOpenSuccesses);
            c.named("breakers", name, "probe-timeout", Duration.class).ifPresent(b::probeTimeout);
            return b.build();
        });
    }

    static Retry retry(BulwarkConfig c, String name) {
        return retry(c, name, Optional.empty());
    }

    /** The retry of {@code name}, with {@code attempts} instead of its own when present. */
    static Retry retry(BulwarkConfig c, String name, Optional<Integer> attempts) {
        return building("retries", name, c, () -> {
            Retry.Builder b = Retry.builder(name);
            attempts.or(() -> c.named("retries", name, "max-attempts", Integer.class)).ifPresent(b::maxAttempts);
            String kind = c.named("retries", name, "backoff", String.class).orElse("exponential");
            Duration initial = c.named("retries", name, "initial-delay", Duration.class).orElseThrow();
            Duration max = c.named("retries", name, "max-delay", Duration.class).orElseThrow();
            double multiplier = c.named("retries", name, "multiplier", Double.class).orElseThrow();
            Backoff backoff = switch (kind) {
                case "none" -> Backoff.none();
                case "fixed" -> Backoff.fixed(initial);
                default -> Backoff.exponential(initial, multiplier, max);
            };
            String jitter = c.named("retries", name, "jitter", String.class).orElse("none");
            if (!kind.equals("none") && !jitter.equals("none")) {
                backoff = backoff.withJitter(Jitter.valueOf(jitter.toUpperCase(Locale.ROOT)));
            }
            b.backoff(backoff);
            c.named("retries", name, "max-duration", Duration.class).ifPresent(b::maxDuration);
            Optional<Double> ratio = c.named("retries", name, "budget-ratio", Double.class);
            Optional<Double> floor = c.named("retries", name, "budget-min-per-second", Double.class);
            if (ratio.isPresent() || floor.isPresent()) {
                RetryBudget.Builder budget = RetryBudget.builder();
                ratio.ifPresent(budget::ratio);
                floor.ifPresent(budget::minRetriesPerSecond);
                b.budget(budget.build());
            }
            return b.build();
        });
    }

    static TokenBucket limiter(BulwarkConfig c, String name) {
        TokenBucketConfig config = limiterConfig(c, name);
        return TokenBucket.builder(name).permitsPerSecond(config.permitsPerSecond()).burst(config.burst()).build();
    }

    static TokenBucketConfig limiterConfig(BulwarkConfig c, String name) {
        return building("limiters", name, c, () -> {
            double rate = c.named("limiters", name, "permits-per-second", Double.class).orElseThrow(() ->
                    new InvalidConfigException("permitsPerSecond", "(unset)", "a rate set for this name or for default"));
            return new TokenBucketConfig(rate, c.named("limiters", name, "burst", Integer.class).orElse(1));
        });
    }

    static Bulkhead bulkhead(BulwarkConfig c, String name) {
        return building("bulkheads", name, c, () -> {
            int max = c.named("bulkheads", name, "max-concurrent", Integer.class).orElseThrow(() ->
                    new InvalidConfigException("maxConcurrent", "(unset)", "a size set for this name or for default"));
            Duration wait = c.named("bulkheads", name, "max-wait", Duration.class).orElse(Duration.ZERO);
            return Bulkhead.of(name, new BulkheadConfig(max, wait));
        });
    }

    static <K, V> StaleCache.Builder<K, V> staleCache(BulwarkConfig c, String name) {
        return building("stale-caches", name, c, () -> {
            Duration maxStaleness = c.named("stale-caches", name, "max-staleness", Duration.class).orElseThrow(() ->
                    new InvalidConfigException("maxStaleness", "(unset)", "a duration set for this name or for default"));
            StaleCache.Builder<K, V> b = StaleCache.<K, V>builder(name).maxStaleness(maxStaleness)
                    .freshFor(c.named("stale-caches", name, "fresh-for", Duration.class).orElse(Duration.ZERO))
                    .maxEntries(c.named("stale-caches", name, "max-entries", Integer.class).orElse(10_000));
            b.build(); // refuses what can never work (fresh for longer than it may be served)
            return b;
        });
    }

    /**
     * The pool's references name policies that can be built: a limiter with a rate and a timeout
     * that is set. A breaker, retry or bulkhead name needs no entry: the registries make any name
     * from its section's default, and the config center may give it a policy of its own.
     */
    static void checkPool(BulwarkConfig c, String pool, List<Problem> problems) {
        c.named("pools", pool, "limiter", String.class).ifPresent(ref -> refersTo(c, pool, "limiter", ref, problems,
                () -> limiterConfig(c, ref), "a limiter with a rate (limiters." + ref + ".permits-per-second or limiters.default's)"));
        c.named("pools", pool, "timeout", String.class).ifPresent(ref -> refersTo(c, pool, "timeout", ref, problems,
                () -> c.timeout(ref).orElseThrow(), "a time limit set as timeouts." + ref + " or timeouts.default"));
        for (String key : List.of("breaker", "endpoint-breaker", "retry", "bulkhead")) {
            c.named("pools", pool, key, String.class).ifPresent(ref -> refersTo(c, pool, key, ref, problems,
                    () -> Check.name("name", ref), "a policy name: not blank, without control characters"));
        }
    }

    private static void refersTo(BulwarkConfig c, String pool, String key, String ref, List<Problem> problems, Runnable build,
            String allowed) {
        try {
            build.run();
        } catch (RuntimeException e) { // ConfigException, InvalidConfigException, NoSuchElementException
            problems.add(new Problem("pools." + pool + "." + key, ref, c.namedOrigin("pools", pool, key), allowed));
        }
    }

    static RegistryConfig registry(BulwarkConfig c) {
        Map<String, String> flat = new LinkedHashMap<>();
        String section = "registry";
        if (!c.isSet(List.of("registry", "type")) && c.isSet(List.of("nacos", "server-addr"))) {
            section = "nacos";
            flat.put("type", RegistryConfig.NACOS);
            put(flat, "endpoints", c, List.of("nacos", "server-addr"));
        } else {
            flat.put("type", c.get(List.of("registry", "type"), String.class).orElseThrow());
            put(flat, "endpoints", c, List.of("registry", "endpoints"));
            put(flat, "tls", c, List.of("registry", "tls"));
            put(flat, "connect-timeout", c, List.of("registry", "connect-timeout"));
            put(flat, "session-timeout", c, List.of("registry", "session-timeout"));
        }
        put(flat, "namespace", c, List.of(section, "namespace"));
        put(flat, "username", c, List.of(section, "username"));
        put(flat, "password", c, List.of(section, "password"));
        try {
            return RegistryConfig.fromMap(flat);
        } catch (InvalidConfigException e) {
            List<String> path = List.of(section, e.field().equals("type") ? "type" : Keys.canonical(e.field()));
            Setting s = c.setting(path);
            throw new ConfigException(List.of(new Problem(String.join(".", path), e.value(), s == null ? Origin.DEFAULT : s.origin(),
                    e.allowed())));
        }
    }

    private static void put(Map<String, String> flat, String key, BulwarkConfig c, List<String> path) {
        Setting s = c.setting(path);
        if (s != null) {
            flat.put(key, s.value() instanceof List<?> list ? String.join(",", list.stream().map(String::valueOf).toList())
                    : s.value() instanceof Duration d ? d.toString() : String.valueOf(s.value()));
        }
    }

    /** Builds every policy the configuration writes, collecting what cannot be built. */
    static void check(BulwarkConfig c, List<Problem> problems) {
        attempt(problems, () -> breaker(c, Named.DEFAULT));
        c.names("breakers").forEach(n -> attempt(problems, () -> breaker(c, n)));
        attempt(problems, () -> retry(c, Named.DEFAULT));
        c.names("retries").forEach(n -> attempt(problems, () -> retry(c, n)));
        c.names("limiters").stream().filter(n -> !n.equals(Named.DEFAULT) || c.names("limiters").size() == 1)
                .forEach(n -> attempt(problems, () -> limiter(c, n)));
        c.names("bulkheads").stream().filter(n -> !n.equals(Named.DEFAULT) || c.names("bulkheads").size() == 1)
                .forEach(n -> attempt(problems, () -> bulkhead(c, n)));
        c.names("stale-caches").stream().filter(n -> !n.equals(Named.DEFAULT) || c.names("stale-caches").size() == 1)
                .forEach(n -> attempt(problems, () -> staleCache(c, n)));
        c.names("pools").forEach(n -> checkPool(c, n, problems));
        attempt(problems, () -> registry(c));
        Setting jaeger = c.setting(List.of("trace", "jaeger-endpoint"));
        if (jaeger != null) {
            problems.add(new Problem("trace.jaeger-endpoint", jaeger.text(), jaeger.origin(),
                    "nothing: Jaeger takes OTLP, so set trace.otlp-endpoint (TRACE_OTLP_ENDPOINT) to http://<jaeger>:4318/v1/traces"));
        }
        checkDashboard(c, problems);
        String center = c.get(List.of("config-center", "type"), String.class).orElse("none");
        if (!center.equals("none")) {
            List<String> needed = new ArrayList<>(List.of("env", "service"));
            needed.add(center.equals("directory") ? "directory" : "endpoints");
            for (String key : needed) {
                if (!c.isSet(List.of("config-center", key))) {
                    problems.add(new Problem("config-center." + key, "(unset)", c.setting(List.of("config-center", "type")).origin(),
                            "a value when config-center.type is " + center));
                }
            }
            if (center.equals("nacos")) {
                nacosNames(c, problems);
            }
        }
    }

    /** The dashboard's address and path are ones it can listen on and serve. */
    private static void checkDashboard(BulwarkConfig c, List<Problem> problems) {
        Setting path = c.setting(List.of("dashboard", "path"));
        if (path != null && !DashboardServer.PATH.matcher(path.text()).matches()) {
            problems.add(new Problem("dashboard.path", path.text(), path.origin(), DashboardServer.PATH_ALLOWED));
        }
        Setting bind = c.setting(List.of("dashboard", "bind"));
        if (bind != null && !bind.text().matches("[A-Za-z0-9.\\-]{1,253}|[0-9A-Fa-f:.]{2,45}")) {
            problems.add(new Problem("dashboard.bind", bind.text(), bind.origin(), "a host name or an IP address (127.0.0.1, ::1, 0.0.0.0)"));
        }
    }

    /** Nacos spells keys as data ids and groups: letters, digits, '_', '-', '.' and ':' only. */
    private static void nacosNames(BulwarkConfig c, List<Problem> problems) {
        String dataIdChars = NacosNames.CHARACTER;
        Map<String, String> rules = new LinkedHashMap<>();
        rules.put("env", dataIdChars + "+");
        rules.put("service", dataIdChars + "+");
        rules.put("root", "/?(" + dataIdChars + "+/?)*");
        rules.put("group", NacosNames.GROUP.pattern());
        rules.put("namespace", NacosNames.NAMESPACE.pattern());
        rules.forEach((key, rule) -> {
            Setting setting = c.setting(List.of("config-center", key));
            if (setting != null && !setting.text().matches(rule)) {
                problems.add(new Problem("config-center." + key, setting.text(), setting.origin(), key.equals("namespace")
                        ? "a Nacos namespace id: 1 to 64 letters, digits, '_' and '-'"
                        : NacosNames.CHARACTERS_ALLOWED + " (Nacos names" + (key.equals("root") ? ", between slashes)" : ")")
                                + (key.equals("group") ? ", at most 128" : "")));
            }
        });
    }

    private static void attempt(List<Problem> problems, Runnable build) {
        try {
            build.run();
        } catch (ConfigException e) {
            problems.addAll(e.problems());
        }
    }

    /** Runs {@code build}, turning a builder's refusal into a problem at the entry's path. */
    private static <T> T building(String section, String name, BulwarkConfig c, Supplier<T> build) {
        try {
            return build.get();
        } catch (InvalidConfigException e) {
            String key = Keys.canonical(e.field());
            Setting written = c.namedSetting(section, name, key);
            // The value as the user wrote it (10m, not PT10M) when it is the one refused.
            String shown = written != null && String.valueOf(written.value()).equals(e.value()) ? written.text() : e.value();
            throw new ConfigException(List.of(new Problem(section + "." + name + "." + key, shown,
                    c.namedOrigin(section, name, key), e.allowed())));
        }
    }
}
