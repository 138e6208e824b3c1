package dev.bulwark.discovery;

import dev.bulwark.CallContext;
import dev.bulwark.balance.EndpointSet;
import dev.bulwark.balance.EndpointStats;
import dev.bulwark.balance.LoadBalancer;
import dev.bulwark.balance.LoadBalancers;
import dev.bulwark.balance.Strategy;
import dev.bulwark.internal.Check;
import dev.bulwark.time.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Finds the instances of services through a {@link ServiceRegistry}, via one {@link DiscoveryCache}
 * per service (started on first use), so lookups are served from memory and survive registry
 * outages.
 *
 * <pre>{@code
 * ServiceDiscovery discovery = ServiceDiscovery.builder(registry).build();
 * List<ServiceInstance> users = discovery.instances("user-service");        // serving ones
 * ServiceInstance one = discovery.pick("user-service").orElseThrow();       // balanced
 * AutoCloseable watching = discovery.watch("user-service", instances -> System.out.println("now " + instances));
 * }</pre>
 *
 * {@link #pick} balances instances for code that makes its calls elsewhere, so no call statistics
 * reach it: strategies that need them (least requests, peak EWMA) are refused; for those, feed a
 * {@code ClientPool} from discovery with {@link DiscoveryPools#bind}.
 */
public final class ServiceDiscovery implements AutoCloseable {
    private final ServiceRegistry registry;
    private final Scheduler scheduler;
    private final Duration resync;
    private final Duration confirmEmpty;
    private final HealthView health;
    private final Strategy strategy;
    private final Map<String, Entry> services = new ConcurrentHashMap<>();

    /** A service's cache, and the balancer's view of it. */
    private final class Entry {
        final DiscoveryCache cache;
        final LoadBalancer balancer = LoadBalancers.create(strategy);
        final Map<String, EndpointStats> stats = new ConcurrentHashMap<>();
        volatile EndpointSet<InstanceEndpoint> endpoints = EndpointSet.empty();

        Entry(String service) {
            cache = DiscoveryCache.builder(registry, service).scheduler(scheduler).resyncEvery(resync)
                    .confirmEmptyAfter(confirmEmpty).build();
            cache.addListener(this::rebuild);
        }

        void rebuild(List<ServiceInstance> instances) {
            List<InstanceEndpoint> next = new ArrayList<>();
            for (ServiceInstance i : instances) {
                EndpointStats s = stats.computeIfAbsent(i.id(), id -> new EndpointStats(scheduler.ticker(), Duration.ofSeconds(10)));
                next.add(new InstanceEndpoint(i, s, health));
            }
            stats.keySet().retainAll(instances.stream().map(ServiceInstance::id).toList());
            endpoints = EndpointSet.of(next);
        }
    }

    private ServiceDiscovery(Builder b) {
        this.registry = b.registry;
        this.scheduler = b.scheduler;
        this.resync = b.resync;
        this.confirmEmpty = b.confirmEmpty;
        this.health = b.health;
        this.strategy = b.strategy;
    }

    public static Builder builder(ServiceRegistry registry) {
        return new Builder(Check.notNull("registry", registry));
    }

    /** The serving instances of {@code service}: registered healthy (or unknown) and passing health checks. */
    public List<ServiceInstance> instances(String service) {
        List<ServiceInstance> serving = new ArrayList<>();
        for (ServiceInstance i : cache(service).instances()) {
            if (i.health().isServing() && health.isServing(i)) {
                serving.add(i);
            }
        }
        return serving;
    }

    /** Every known instance of {@code service}, serving or not. */
    public List<ServiceInstance> allInstances(String service) {
        return cache(service).instances();
    }

    /** One serving instance of {@code service}, chosen by the discovery's balancer. */
    public Optional<ServiceInstance> pick(String service) {
        return pick(service, CallContext.none());
    }

    /** One serving instance, chosen by the balancer with {@code context} (e.g. a consistent-hash key). */
    public Optional<ServiceInstance> pick(String service, CallContext context) {
        Entry entry = entry(service);
        entry.cache.instances();
        InstanceEndpoint chosen = (InstanceEndpoint) entry.balancer.pick(entry.endpoints, Check.notNull("context", context),
                dev.bulwark.balance.Exclusion.NONE);
        return chosen == null ? Optional.empty() : Optional.of(chosen.instance);
    }

    /**
     * Calls {@code onChange} with every instance of {@code service} (serving or not) now and after
     * every change, until the returned handle is closed.
     */
    public AutoCloseable watch(String service, Consumer<List<ServiceInstance>> onChange) {
        DiscoveryCache cache = cache(service);
        Check.notNull("onChange", onChange);
        cache.addListener(onChange);
        onChange.accept(cache.instances());
        return () -> cache.removeListener(onChange);
    }

    /** The services asked for so far, each with its cache. */
    public Set<String> services() {
        return Set.copyOf(services.keySet());
    }

    /** The cache of {@code service}, started on first use. */
    public DiscoveryCache cache(String service) {
        return entry(service).cache;
    }

    private Entry entry(String service) {
        Entry existing = services.get(service);
        if (existing != null) {
            return existing;
        }
        Names.check("service", service);
        boolean[] created = {false};
        Entry entry = services.computeIfAbsent(service, s -> {
            created[0] = true;
            return new Entry(s);
        });
        if (created[0]) {
            entry.cache.start();
        }
        return entry;
    }

    /** Stops every cache; the registry stays open (it is the caller's). */
    @Override
    public void close() {
        services.values().forEach(e -> e.cache.close());
    }

    /** Builds a {@link ServiceDiscovery}. */
    public static final class Builder {
        private final ServiceRegistry registry;
        private Scheduler scheduler = Scheduler.system();
        private Duration resync = Duration.ofSeconds(30);
        private Duration confirmEmpty = Duration.ofSeconds(1);
        private HealthView health = HealthView.TRUSTING;
        private Strategy strategy = Strategy.ROUND_ROBIN;

        private Builder(ServiceRegistry registry) {
            this.registry = registry;
        }

        public Builder scheduler(Scheduler source) {
            scheduler = Check.notNull("scheduler", source);
            return this;
        }

        /** How often each service is read in full beside its watch (default 30 s). */
        public Builder resyncEvery(Duration interval) {
            resync = Check.positive("resyncEvery", interval);
            return this;
        }

        /** Delay of the read that confirms an empty answer before it is believed (default 1 s). */
        public Builder confirmEmptyAfter(Duration delay) {
            confirmEmpty = Check.nonNegative("confirmEmptyAfter", delay);
            return this;
        }

        /** Active health checks, or any other opinion on which instances serve. */
        public Builder health(HealthView view) {
            health = Check.notNull("health", view);
            return this;
        }

        /**
         * How {@link ServiceDiscovery#pick} chooses (default round robin). Strategies that read call
         * statistics are refused: no call made elsewhere reports to discovery.
         */
        public Builder strategy(Strategy chosen) {
            Check.notNull("strategy", chosen);
            if (chosen.needsStatistics()) {
                throw new dev.bulwark.InvalidConfigException("strategy", chosen, "a strategy that needs no call statistics ("
                        + "round-robin, random, weighted-random, weighted-round-robin, consistent-hash): picks made here"
                        + " feed none; use a ClientPool bound with DiscoveryPools.bind for " + chosen.configName());
            }
            strategy = chosen;
            return this;
        }

        public ServiceDiscovery build() {
            return new ServiceDiscovery(this);
        }
    }
}
