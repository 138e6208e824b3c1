package dev.bulwark.discovery.health;

import dev.bulwark.discovery.HealthView;
import dev.bulwark.discovery.ServiceDiscovery;
import dev.bulwark.discovery.ServiceInstance;
import dev.bulwark.internal.Check;
import dev.bulwark.time.Scheduler;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Checks instances actively, every {@code interval}, and takes one out of rotation after
 * {@code unhealthyAfter} failed checks in a row, back in after {@code healthyAfter} passed ones.
 * It is a {@link HealthView}: give it to {@link ServiceDiscovery.Builder#health(HealthView)} and
 * discovery leaves unhealthy instances out.
 *
 * <pre>{@code
 * HealthMonitor monitor = HealthMonitor.builder(HealthChecks.http("/health", Duration.ofSeconds(1)))
 *     .interval(Duration.ofSeconds(5)).unhealthyAfter(3).healthyAfter(2).build();
 * ServiceDiscovery discovery = ServiceDiscovery.builder(registry).health(monitor).build();
 * monitor.watch(discovery, "user-service");
 * }</pre>
 *
 * An instance not checked yet counts as serving. Checks run on the monitor's own small pool of
 * daemon threads (they block on I/O), scheduled by the scheduler.
 */
public final class HealthMonitor implements HealthView, AutoCloseable {
    private static final System.Logger LOG = System.getLogger("dev.bulwark.discovery.health");

    private final HealthCheck check;
    private final Scheduler scheduler;
    private final long intervalNanos;
    private final int unhealthyAfter;
    private final int healthyAfter;
    private final Executor executor;
    private final ExecutorService ownExecutor;
    private final Map<String, Tracked> tracked = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /** One instance's check history; written by one check at a time. */
    private final class Tracked {
        final ServiceInstance instance;
        final AtomicInteger passedInARow = new AtomicInteger();
        final AtomicInteger failedInARow = new AtomicInteger();
        volatile boolean serving = true;
        volatile String lastFailure;
        volatile boolean stopped;
        volatile Scheduler.Cancellable next;

        Tracked(ServiceInstance instance) {
            this.instance = instance;
        }

        void schedule(long delayNanos) {
            if (!stopped && !closed) {
                next = scheduler.schedule(() -> executor.execute(this::runCheck), delayNanos);
            }
        }

        void runCheck() {
            if (stopped || closed) {
                return;
            }
            try {
                check.check(instance);
                failedInARow.set(0);
                if (passedInARow.incrementAndGet() >= healthyAfter && !serving) {
                    serving = true;
                    LOG.log(System.Logger.Level.INFO, instance + " is healthy again");
                }
            } catch (Exception | LinkageError e) {
                passedInARow.set(0);
                lastFailure = String.valueOf(e);
                if (failedInARow.incrementAndGet() >= unhealthyAfter && serving) {
                    serving = false;
                    LOG.log(System.Logger.Level.WARNING, instance + " failed " + unhealthyAfter + " health checks: " + e);
                }
            } finally {
                schedule(intervalNanos);
            }
        }

        void stop() {
            stopped = true;
            Scheduler.Cancellable pending = next;
            if (pending != null) {
                pending.cancel();
            }
        }
    }

    private HealthMonitor(Builder b) {
        this.check = b.check;
        this.scheduler = b.scheduler;
        this.intervalNanos = dev.bulwark.internal.Check.nanos(b.interval);
        this.unhealthyAfter = b.unhealthyAfter;
        this.healthyAfter = b.healthyAfter;
        if (b.executor != null) {
            this.executor = b.executor;
            this.ownExecutor = null;
        } else {
            this.ownExecutor = Executors.newFixedThreadPool(b.threads, r -> {
                Thread t = new Thread(r, "bulwark-health-check");
                t.setDaemon(true);
                return t;
            });
            this.executor = ownExecutor;
        }
    }

    public static Builder builder(HealthCheck check) {
        return new Builder(Check.notNull("check", check));
    }

    /** Checks the instances of {@code service} that {@code discovery} knows, following its changes. */
    public void watch(ServiceDiscovery discovery, String service) {
        Check.notNull("discovery", discovery).watch(service, instances -> track(service, instances));
    }

    /** Checks exactly {@code instances} of {@code service} from now on: new ones start, gone ones stop. */
    public void track(String service, List<ServiceInstance> instances) {
        Set<String> keep = new HashSet<>();
        for (ServiceInstance instance : instances) {
            String key = key(instance);
            keep.add(key);
            Tracked existing = tracked.get(key);
            if (existing == null || !existing.instance.address().equals(instance.address())) {
                Tracked fresh = new Tracked(instance);
                Tracked replaced = tracked.put(key, fresh);
                if (replaced != null) {
                    replaced.stop();
                }
                fresh.schedule(0);
            }
        }
        tracked.entrySet().removeIf(e -> {
            boolean gone = e.getValue().instance.service().equals(service) && !keep.contains(e.getKey());
            if (gone) {
                e.getValue().stop();
            }
            return gone;
        });
    }

    @Override
    public boolean isServing(ServiceInstance instance) {
        Tracked t = tracked.get(key(instance));
        return t == null || t.serving;
    }

    /** Why {@code instance} last failed its check, or null. */
    public String lastFailure(ServiceInstance instance) {
        Tracked t = tracked.get(key(instance));
        return t == null ? null : t.lastFailure;
    }

    @Override
    public void close() {
        closed = true;
        tracked.values().forEach(Tracked::stop);
        if (ownExecutor != null) {
            ownExecutor.shutdownNow();
        }
    }

    private static String key(ServiceInstance instance) {
        return instance.service() + "/" + instance.id();
    }

    /** Builds a {@link HealthMonitor}. */
    public static final class Builder {
        private final HealthCheck check;
        private Scheduler scheduler = Scheduler.system();
        private Duration interval = Duration.ofSeconds(10);
        private int unhealthyAfter = 3;
        private int healthyAfter = 2;
        private int threads = 2;
        private Executor executor;

        private Builder(HealthCheck check) {
            this.check = check;
        }

        /** Time between two checks of an instance (default 10 s). */
        public Builder interval(Duration value) {
            interval = Check.positive("interval", value);
            return this;
        }

        /** Failed checks in a row that take an instance out (default 3). */
        public Builder unhealthyAfter(int checks) {
            unhealthyAfter = Check.between("unhealthyAfter", checks, 1, 1000);
            return this;
        }

        /** Passed checks in a row that bring it back (default 2). */
        public Builder healthyAfter(int checks) {
            healthyAfter = Check.between("healthyAfter", checks, 1, 1000);
            return this;
        }

        /** Threads running checks (default 2); ignored with {@link #executor(Executor)}. */
        public Builder threads(int count) {
            threads = Check.between("threads", count, 1, 256);
            return this;
        }

        /** Runs checks here instead of the monitor's own threads ({@code Runnable::run} in tests). */
        public Builder executor(Executor where) {
            executor = Check.notNull("executor", where);
            return this;
        }

        public Builder scheduler(Scheduler source) {
            scheduler = Check.notNull("scheduler", source);
            return this;
        }

        public HealthMonitor build() {
            return new HealthMonitor(this);
        }
    }
}
