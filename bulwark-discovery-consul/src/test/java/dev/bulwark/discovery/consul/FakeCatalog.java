package dev.bulwark.discovery.consul;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.bulwark.time.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The state behind {@link FakeConsul}, a TEST FAKE of one Consul agent that is also its own
 * single server: its services, their TTL checks, and the Raft-like index that moves on every
 * change, with the semantics Consul documents for what Bulwark uses.
 *
 * <ul>
 *   <li>Every change (a service registered or changed, deregistered, a check changing status)
 *       takes the next index, which becomes the service's index: the {@code X-Consul-Index} of its
 *       health answers. A blocking query returns when that index moves past the one it gave, or
 *       when its wait runs out. Passing a check that already passes changes nothing (as in Consul,
 *       which syncs a TTL check's output alone only every few minutes).</li>
 *   <li>A TTL check not passed within its TTL turns critical with output {@code "TTL expired"}. A
 *       service whose check has been critical longer than its {@code DeregisterCriticalServiceAfter}
 *       (raised to Consul's minimum, 1 minute) is deregistered by a reaper that runs every
 *       30 seconds, as Consul's does. Both run on the fake's {@link Scheduler}, so a test can
 *       drive them in virtual time; blocking waits are real time, as the HTTP client's are.</li>
 *   <li>The node {@value #NODE} ({@value #ADDRESS}, datacenter {@value #DATACENTER}) has its
 *       {@code serfHealth} check passing, and a {@code consul} service, as a real server has.</li>
 * </ul>
 *
 * Not modelled: other check kinds (HTTP, TCP, script), several nodes or datacenters, anti-entropy
 * delays, Consul's wait jitter, namespaces, the catalog endpoints beyond the service list.
 */
final class FakeCatalog {
    static final String NODE = "fake-node";
    static final String ADDRESS = "127.0.0.1";
    static final String DATACENTER = "dc1";
    static final Duration REAP_INTERVAL = Duration.ofSeconds(30);
    static final Duration DEREGISTER_MINIMUM = Duration.ofMinutes(1);
    private static final long BOOT_INDEX = 5;

    /** A service registration with its checks, as the register endpoint parsed it. */
    record Registration(String id, String name, String address, int port, List<String> tags, Map<String, String> meta,
            int passingWeight, int warningWeight, List<CheckDefinition> checks) {
    }

    /** A TTL check of a registration; status null means "keep the current one, or critical". */
    record CheckDefinition(String id, String name, String notes, Duration ttl, String status, Duration deregisterAfter) {
    }

    private static final class Service {
        Registration registration;
        long createIndex;
        long modifyIndex;
    }

    private static final class Check {
        CheckDefinition definition;
        String serviceId;
        String serviceName;
        String status;
        String output = "";
        long createIndex;
        long modifyIndex;
        long criticalSinceNanos;
        Scheduler.Cancellable timer;
    }

    private final ObjectMapper json = new ObjectMapper();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Scheduler scheduler;
    private final Map<String, Service> services = new LinkedHashMap<>();
    private final Map<String, Check> checks = new LinkedHashMap<>();
    private final Map<String, Long> serviceIndex = new HashMap<>();
    private long index = BOOT_INDEX;
    private boolean stopped;
    private boolean closed;
    private int blocked;
    private Scheduler.Cancellable reaper;

    FakeCatalog(Scheduler scheduler) {
        this.scheduler = scheduler;
        serviceIndex.put("consul", BOOT_INDEX);
        scheduleReaper();
    }

    /** Registers or replaces a service; its checks are created, or updated keeping unspecified statuses. */
    void register(Registration registration) {
        lock.lock();
        try {
            Service previous = services.get(registration.id());
            boolean change = previous == null || !previous.registration.equals(registration);
            if (previous != null && !previous.registration.name().equals(registration.name())) {
                bump(previous.registration.name()); // the id moved to another service: the old one lost it
            }
            Service service = previous == null ? new Service() : previous;
            service.registration = registration;
            long next = index + 1;
            for (CheckDefinition definition : registration.checks()) {
                Check check = checks.get(definition.id());
                String status = definition.status() != null ? definition.status()
                        : check != null ? check.status : Entries.CRITICAL;
                if (check == null) {
                    check = new Check();
                    check.createIndex = next;
                    checks.put(definition.id(), check);
                    change = true;
                } else if (!check.status.equals(status) || !check.definition.equals(definition)) {
                    change = true;
                }
                check.definition = definition;
                check.serviceId = registration.id();
                check.serviceName = registration.name();
                setStatus(check, status, check.output);
                check.modifyIndex = next;
                armTimer(check);
            }
            if (change) {
                if (previous == null) {
                    service.createIndex = next;
                }
                service.modifyIndex = next;
                services.put(registration.id(), service);
                bump(registration.name());
            }
        } finally {
            lock.unlock();
        }
    }

    /** Removes a service and its checks; false if there was none. */
    boolean deregister(String serviceId) {
        lock.lock();
        try {
            Service removed = services.remove(serviceId);
            if (removed == null) {
                return false;
            }
            checks.values().removeIf(c -> {
                if (c.serviceId.equals(serviceId)) {
                    cancel(c);
                    return true;
                }
                return false;
            });
            bump(removed.registration.name());
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** The name of the service with {@code serviceId}, if registered. */
    Optional<String> serviceName(String serviceId) {
        lock.lock();
        try {
            Service s = services.get(serviceId);
            return s == null ? Optional.empty() : Optional.of(s.registration.name());
        } finally {
            lock.unlock();
        }
    }

    /** The service a check belongs to, if the check exists. */
    Optional<String> checkService(String checkId) {
        lock.lock();
        try {
            Check c = checks.get(checkId);
            return c == null ? Optional.empty() : Optional.of(c.serviceName);
        } finally {
            lock.unlock();
        }
    }

    /** Sets a TTL check's status and restarts its TTL; false if there is no such check. */
    boolean updateTtl(String checkId, String status, String output) {
        lock.lock();
        try {
            Check check = checks.get(checkId);
            if (check == null) {
                return false;
            }
            boolean change = !check.status.equals(status);
            setStatus(check, status, output);
            armTimer(check);
            if (change) {
                check.modifyIndex = index + 1;
                bump(check.serviceName);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits (real time) until {@code service}'s index passes {@code after}, or {@code wait} runs
     * out; false if the agent stopped meanwhile (the query gets no answer).
     */
    boolean awaitChange(String service, long after, Duration wait) throws InterruptedException {
        long remaining = wait.toNanos();
        lock.lock();
        try {
            blocked++;
            while (!stopped && serviceIndex(service) <= after && remaining > 0) {
                remaining = changed.awaitNanos(remaining);
            }
            return !stopped;
        } finally {
            blocked--;
            lock.unlock();
        }
    }

    /** How many blocking queries are waiting now. */
    int blockedQueries() {
        lock.lock();
        try {
            return blocked;
        } finally {
            lock.unlock();
        }
    }

    /** The health endpoint's answer for {@code service} and its index; {@code filtered}: what an anonymous token sees. */
    Map.Entry<Long, ArrayNode> health(String service, boolean filtered) {
        lock.lock();
        try {
            ArrayNode out = json.createArrayNode();
            if (!filtered) {
                if (service.equals("consul")) {
                    out.add(entry(consulService(), List.of()));
                }
                for (Service s : services.values()) {
                    if (s.registration.name().equals(service)) {
                        List<Check> own = new ArrayList<>();
                        checks.values().stream().filter(c -> c.serviceId.equals(s.registration.id())).forEach(own::add);
                        out.add(entry(s, own));
                    }
                }
            }
            return Map.entry(serviceIndex(service), out);
        } finally {
            lock.unlock();
        }
    }

    /** Whether {@code service} has instances an anonymous token would have been shown. */
    boolean hasInstances(String service) {
        lock.lock();
        try {
            return service.equals("consul") || services.values().stream().anyMatch(s -> s.registration.name().equals(service));
        } finally {
            lock.unlock();
        }
    }

    /** The catalog's service list: name to the union of its tags. */
    Map.Entry<Long, ObjectNode> catalogServices() {
        lock.lock();
        try {
            Map<String, TreeSet<String>> tags = new TreeMap<>();
            tags.put("consul", new TreeSet<>());
            for (Service s : services.values()) {
                tags.computeIfAbsent(s.registration.name(), n -> new TreeSet<>()).addAll(s.registration.tags());
            }
            ObjectNode out = json.createObjectNode();
            tags.forEach((name, set) -> {
                ArrayNode array = out.putArray(name);
                set.forEach(array::add);
            });
            return Map.entry(index, out);
        } finally {
            lock.unlock();
        }
    }

    /** A check's status, for tests. */
    Optional<String> checkStatus(String checkId) {
        lock.lock();
        try {
            Check c = checks.get(checkId);
            return c == null ? Optional.empty() : Optional.of(c.status);
        } finally {
            lock.unlock();
        }
    }

    long index() {
        lock.lock();
        try {
            return index;
        } finally {
            lock.unlock();
        }
    }

    /** Wakes every blocking query and makes new ones return at once: the agent is going away. */
    void stopped(boolean value) {
        lock.lock();
        try {
            stopped = value;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Forgets every service and check and starts the index over, as a dev-mode Consul restarted. */
    void forgetEverything() {
        lock.lock();
        try {
            checks.values().forEach(this::cancel);
            checks.clear();
            services.clear();
            serviceIndex.clear();
            index = BOOT_INDEX;
            serviceIndex.put("consul", BOOT_INDEX);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    void close() {
        lock.lock();
        try {
            if (reaper != null) {
                reaper.cancel();
            }
            checks.values().forEach(this::cancel);
            closed = true;
            stopped = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    // Everything below runs under the lock.

    private long serviceIndex(String service) {
        return serviceIndex.getOrDefault(service, 1L);
    }

    private void bump(String service) {
        index++;
        serviceIndex.put(service, index);
        changed.signalAll();
    }

    private void setStatus(Check check, String status, String output) {
        if (Entries.CRITICAL.equals(status) && !Entries.CRITICAL.equals(check.status)) {
            check.criticalSinceNanos = scheduler.ticker().read();
        }
        check.status = status;
        check.output = output;
    }

    private void armTimer(Check check) {
        cancel(check);
        Scheduler.Cancellable[] mine = new Scheduler.Cancellable[1];
        mine[0] = scheduler.schedule(() -> expire(check, mine[0]), check.definition.ttl().toNanos());
        check.timer = mine[0];
    }

    private void cancel(Check check) {
        if (check.timer != null) {
            check.timer.cancel();
            check.timer = null;
        }
    }

    private void expire(Check check, Scheduler.Cancellable timer) {
        lock.lock();
        try {
            if (check.timer != timer || checks.get(check.definition.id()) != check) {
                return; // passed or removed meanwhile
            }
            check.timer = null;
            if (!Entries.CRITICAL.equals(check.status)) {
                setStatus(check, Entries.CRITICAL, "TTL expired");
                check.modifyIndex = index + 1;
                bump(check.serviceName);
            }
        } finally {
            lock.unlock();
        }
    }

    private void scheduleReaper() {
        reaper = scheduler.schedule(() -> {
            reap();
            lock.lock();
            try {
                if (!closed) {
                    scheduleReaper();
                }
            } finally {
                lock.unlock();
            }
        }, REAP_INTERVAL.toNanos());
    }

    private void reap() {
        lock.lock();
        try {
            long now = scheduler.ticker().read();
            for (Check check : List.copyOf(checks.values())) {
                Duration after = check.definition.deregisterAfter();
                if (after == null || !Entries.CRITICAL.equals(check.status)) {
                    continue;
                }
                long timeout = Math.max(after.toNanos(), DEREGISTER_MINIMUM.toNanos());
                if (now - check.criticalSinceNanos > timeout && services.containsKey(check.serviceId)) {
                    deregister(check.serviceId);
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private Service consulService() {
        Service consul = new Service();
        consul.registration = new Registration("consul", "consul", "", 8300, List.of(), Map.of("raft_version", "3"), 1, 1, List.of());
        consul.createIndex = BOOT_INDEX;
        consul.modifyIndex = BOOT_INDEX;
        return consul;
    }

    private ObjectNode entry(Service s, List<Check> own) {
        ObjectNode entry = json.createObjectNode();
        ObjectNode node = entry.putObject("Node");
        node.put("ID", "3f6b2b1e-0000-4000-8000-00000000fa4e");
        node.put("Node", NODE);
        node.put("Address", ADDRESS);
        node.put("Datacenter", DATACENTER);
        ObjectNode tagged = node.putObject("TaggedAddresses");
        tagged.put("lan", ADDRESS);
        tagged.put("wan", ADDRESS);
        node.putObject("Meta").put("consul-network-segment", "");
        node.put("CreateIndex", 1);
        node.put("ModifyIndex", 1);
        Registration r = s.registration;
        ObjectNode service = entry.putObject("Service");
        service.put("ID", r.id());
        service.put("Service", r.name());
        ArrayNode tags = service.putArray("Tags");
        r.tags().forEach(tags::add);
        service.put("Address", r.address());
        ObjectNode meta = service.putObject("Meta");
        r.meta().forEach(meta::put);
        service.put("Port", r.port());
        ObjectNode weights = service.putObject("Weights");
        weights.put("Passing", r.passingWeight());
        weights.put("Warning", r.warningWeight());
        service.put("EnableTagOverride", false);
        service.put("CreateIndex", s.createIndex);
        service.put("ModifyIndex", s.modifyIndex);
        ArrayNode list = entry.putArray("Checks");
        ObjectNode serf = list.addObject();
        serf.put("Node", NODE);
        serf.put("CheckID", "serfHealth");
        serf.put("Name", "Serf Health Status");
        serf.put("Status", Entries.PASSING);
        serf.put("Notes", "");
        serf.put("Output", "Agent alive and reachable");
        serf.put("ServiceID", "");
        serf.put("ServiceName", "");
        serf.putArray("ServiceTags");
        serf.put("Type", "");
        serf.put("CreateIndex", 1);
        serf.put("ModifyIndex", 1);
        for (Check c : own) {
            ObjectNode check = list.addObject();
            check.put("Node", NODE);
            check.put("CheckID", c.definition.id());
            check.put("Name", c.definition.name());
            check.put("Status", c.status);
            check.put("Notes", c.definition.notes());
            check.put("Output", c.output);
            check.put("ServiceID", c.serviceId);
            check.put("ServiceName", c.serviceName);
            ArrayNode serviceTags = check.putArray("ServiceTags");
            r.tags().forEach(serviceTags::add);
            check.put("Type", "ttl");
            check.put("CreateIndex", c.createIndex);
            check.put("ModifyIndex", c.modifyIndex);
        }
        return entry;
    }
}
