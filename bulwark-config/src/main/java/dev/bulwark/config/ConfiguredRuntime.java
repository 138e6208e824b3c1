package dev.bulwark.config;

import dev.bulwark.InvalidConfigException;
import dev.bulwark.balance.Strategy;
import dev.bulwark.breaker.CircuitBreaker;
import dev.bulwark.breaker.CircuitBreakerConfig;
import dev.bulwark.bulkhead.Bulkhead;
import dev.bulwark.bulkhead.BulkheadConfig;
import dev.bulwark.bulkhead.Bulkheads;
import dev.bulwark.call.ClientPool;
import dev.bulwark.discovery.Registries;
import dev.bulwark.discovery.ServiceDiscovery;
import dev.bulwark.discovery.ServiceRegistry;
import dev.bulwark.internal.Check;
import dev.bulwark.ratelimit.TokenBucket;
import dev.bulwark.ratelimit.TokenBucketConfig;
import dev.bulwark.registry.PolicyRegistry;
import dev.bulwark.retry.Retry;
import dev.bulwark.retry.RetryConfig;
import dev.bulwark.timeout.Timeout;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The live objects of a configuration, built in one call: the service registry and discovery,
 * the named breakers, retries, token buckets and bulkheads, and, when the configuration names a
 * config center, each of those following its documents there; client pools of the {@code pools}
 * section are built on them. The transports take their parts
 * from here:
 *
 * <pre>{@code
 * try (ConfiguredRuntime runtime = ConfiguredRuntime.start(config)) {
 *     BulwarkServer server = GrpcSettings.server(config).registry(runtime.registry()).service(userService).build().start();
 *     ServiceClient http = HttpSettings.client(config, runtime.discovery()).serviceBreakers(runtime.breakers()).build();
 *     runtime.breakers().get("http:payment-api");   // the breaker the center's http:payment-api.json sets
 * }
 * }</pre>
 *
 * Closing it stops following the center and closes the discovery and the registry it made.
 */
public final class ConfiguredRuntime implements AutoCloseable {
    private final BulwarkConfig config;
    private final ServiceRegistry registry;
    private final ServiceDiscovery discovery;
    private final PolicyRegistry<Bulkhead, BulkheadConfig> bulkheads;
    private final PolicySource source;
    private final List<LivePolicies> live = new ArrayList<>();
    private final java.util.Map<String, TokenBucket> ownLimiters = new java.util.concurrent.ConcurrentHashMap<>();

    private ConfiguredRuntime(BulwarkConfig config) {
        this.config = config;
        this.registry = Registries.create(config.registry());
        this.discovery = ServiceDiscovery.builder(registry).build();
        this.bulkheads = Bulkheads.registry(config.names("bulkheads").contains("default")
                ? config.bulkhead("default").config() : BulkheadConfig.defaults());
        for (String name : config.names("bulkheads")) {
            if (!name.equals("default")) {
                bulkheads.configure(name, config.bulkhead(name).config());
            }
        }
        this.source = PolicySources.from(config).orElse(null);
        if (source != null) {
            live.add(LivePolicies.breakers(config.breakers(), source, PolicySources.directory(config, "breakers")));
            live.add(LivePolicies.retries(config.retries(), source, PolicySources.directory(config, "retries")));
            live.add(LivePolicies.bulkheads(bulkheads, source, PolicySources.directory(config, "bulkheads")));
            config.limiters().ifPresent(limiters ->
                    live.add(LivePolicies.limiters(limiters, source, PolicySources.directory(config, "limiters"))));
        }
    }

    /** Builds and starts the live objects {@code config} describes. */
    public static ConfiguredRuntime start(BulwarkConfig config) {
        return new ConfiguredRuntime(Check.notNull("config", config));
    }

    public BulwarkConfig config() {
        return config;
    }

    /** The service registry of {@code registry:} (or the reference {@code nacos:} keys). */
    public ServiceRegistry registry() {
        return registry;
    }

    /** Discovery over {@link #registry()}, with its cache. */
    public ServiceDiscovery discovery() {
        return discovery;
    }

    public PolicyRegistry<CircuitBreaker, CircuitBreakerConfig> breakers() {
        return config.breakers();
    }

    public PolicyRegistry<Retry, RetryConfig> retries() {
        return config.retries();
    }

    /** The token buckets; empty when the configuration gives {@code limiters.default} no rate. */
    public Optional<PolicyRegistry<TokenBucket, TokenBucketConfig>> limiters() {
        return config.limiters();
    }

    public PolicyRegistry<Bulkhead, BulkheadConfig> bulkheads() {
        return bulkheads;
    }

    /**
     * A client pool named {@code name} as its {@code pools} entry describes it: its balancer, its
     * endpoints' breaker config, and the live breaker, retry, limiter and bulkhead of the names it
     * refers to (so a change at the config center reaches the pool's calls), and its timeout. Add
     * endpoints (or bind it to discovery) and stages of your own, then build it.
     *
     * <pre>{@code
     * ConfiguredRuntime runtime = ConfiguredRuntime.start(config);
     * ClientPool<URI> inventory = runtime.<URI>pool("inventory").build();
     * }</pre>
     */
    public <C> ClientPool.Builder<C> pool(String name) {
        Check.name("name", name);
        if (!config.names("pools").contains(name) && !config.names("pools").contains("default")) {
            throw new InvalidConfigException("pool", name, "a pool of the pools section " + config.names("pools")
                    + " (or any name, once pools.default is written)");
        }
        ClientPool.Builder<C> b = ClientPool.<C>builder(name)
                .balancer(Strategy.of(setting(name, "balancer").orElse("round_robin")).create())
                .panicMode(config.named("pools", name, "panic-mode", Boolean.class).orElse(false))
                .closeRemovedClients(config.named("pools", name, "close-removed-clients", Boolean.class).orElse(false))
                .latencyDecay(config.named("pools", name, "latency-decay", java.time.Duration.class).orElse(java.time.Duration.ofSeconds(10)));
        setting(name, "endpoint-breaker").ifPresent(ref -> b.breaker(config.breakerConfig(ref)));
        setting(name, "breaker").ifPresent(ref -> b.circuitBreaker(breakers().get(ref)));
        setting(name, "retry").ifPresent(ref -> b.retry(retries().get(ref)));
        setting(name, "limiter").ifPresent(ref -> b.rateLimiter(limiter(ref), config.limiterMaxWait(ref)));
        setting(name, "bulkhead").ifPresent(ref -> b.bulkhead(bulkheads.get(ref)));
        setting(name, "timeout").ifPresent(ref -> b.timeout(Timeout.of(ref, config.timeout(ref).orElseThrow())));
        return b;
    }

    /**
     * The token bucket of {@code name}: the live registry's when {@code limiters.default} has a
     * rate, else one bucket per name made from its own settings, shared by every pool naming it.
     */
    private TokenBucket limiter(String name) {
        return limiters().map(live -> live.get(name)).orElseGet(() -> ownLimiters.computeIfAbsent(name, config::limiter));
    }

    private Optional<String> setting(String pool, String key) {
        return config.named("pools", pool, key, String.class);
    }

    /** What each kind of policy runs from the config center, one per kind; empty without a center. */
    public List<LivePolicies> livePolicies() {
        return List.copyOf(live);
    }

    @Override
    public void close() {
        live.forEach(LivePolicies::close);
        if (source != null) {
            source.close();
        }
        discovery.close();
        try {
            registry.close();
        } catch (Exception e) {
            throw new IllegalStateException("closing the service registry failed", e);
        }
    }
}
