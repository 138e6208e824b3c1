package dev.bulwark.discovery.consul;

import dev.bulwark.discovery.Health;
import dev.bulwark.discovery.ServiceInstance;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;
import org.kiwiproject.consul.model.health.HealthCheck;
import org.kiwiproject.consul.model.health.Service;
import org.kiwiproject.consul.model.health.ServiceHealth;

/**
 * One entry of Consul's health endpoint ({@code /v1/health/service/<name>}: node, service and
 * checks) as a {@link ServiceInstance}, the reverse of {@link Registrations}.
 *
 * <p><b>Expiry.</b> An instance registered by Bulwark whose own TTL check ({@code service:<id>})
 * is critical missed its heartbeats: its TTL ran out, so it is reported as gone, exactly as the
 * in-memory registry stops listing an expired instance before its sweep removes it. Consul keeps
 * the entry until {@code DeregisterCriticalServiceAfter} (at least a minute) and then removes it.
 *
 * <p><b>Health.</b> Consul's checks can only make an instance worse than it says it is: any other
 * critical check (a node that failed, maintenance mode, a check an operator added) makes it
 * {@link Health#DOWN}; otherwise (passing or warning) it keeps the health it registered with, so
 * an instance registered {@code UNKNOWN} reads back {@code UNKNOWN}. A service registered by
 * another tool, without Bulwark's meta, is {@code DOWN} with any critical check, {@code UP} with
 * checks passing or warning, {@code UNKNOWN} with none.
 *
 * <p><b>Leniency.</b> Entries without Bulwark's meta are read with defaults (the weight from
 * Consul's {@code Weights.Passing}, every meta pair as metadata, registration time the epoch);
 * entries with it are read strictly, and a field that does not parse makes the entry corrupt.
 */
final class Entries {
    static final String PASSING = "passing";
    static final String WARNING = "warning";
    static final String CRITICAL = "critical";

    private Entries() {
    }

    /**
     * The instance {@code entry} describes, or empty if its TTL ran out.
     *
     * @throws CorruptEntryException if it is no valid instance
     */
    static Optional<ServiceInstance> read(ServiceHealth entry) {
        Service service = entry.getService();
        Map<String, String> meta = service.getMeta();
        boolean bulwark = meta.containsKey(MetaKeys.PREFIX);
        String ownCheck = "service:" + service.getId();
        boolean otherCritical = false;
        boolean anyCheck = false;
        for (HealthCheck check : entry.getChecks()) {
            anyCheck = true;
            if (CRITICAL.equals(check.getStatus())) {
                if (bulwark && ownCheck.equals(check.getCheckId())) {
                    return Optional.empty(); // the heartbeats stopped: expired
                }
                otherCritical = true;
            }
        }
        String host = service.getAddress() == null || service.getAddress().isEmpty()
                ? entry.getNode().getAddress() : service.getAddress(); // Consul's rule: no service address, the node's
        try {
            ServiceInstance.Builder b = ServiceInstance.builder(service.getService(), host, service.getPort())
                    .id(service.getId());
            service.getTags().forEach(b::tag);
            if (bulwark) {
                readBulwarkMeta(meta, b, otherCritical);
            } else {
                b.weight(service.getWeights().map(w -> Math.max(1, w.getPassing())).orElse(1))
                        .registeredAt(Instant.EPOCH)
                        .health(otherCritical ? Health.DOWN : anyCheck ? Health.UP : Health.UNKNOWN)
                        .metadata(meta);
            }
            return Optional.of(b.build());
        } catch (IllegalArgumentException e) { // InvalidConfigException from the builder included
            throw new CorruptEntryException("refused", e, !bulwark);
        }
    }

    private static void readBulwarkMeta(Map<String, String> meta, ServiceInstance.Builder b, boolean otherCritical) {
        if (!Registrations.FORMAT.equals(meta.get(MetaKeys.PREFIX))) {
            throw new CorruptEntryException(MetaKeys.PREFIX + ": format \"" + meta.get(MetaKeys.PREFIX) + "\" is not "
                    + Registrations.FORMAT);
        }
        Health declared = health(meta.getOrDefault(Registrations.HEALTH, Health.UNKNOWN.name()));
        Instant registeredAt = instant(meta, Registrations.REGISTERED_AT, Instant.EPOCH);
        b.version(meta.getOrDefault(Registrations.VERSION, ""))
                .protocol(meta.getOrDefault(Registrations.PROTOCOL, "http"))
                .zone(meta.getOrDefault(Registrations.ZONE, ""))
                .weight(integer(meta, Registrations.WEIGHT))
                .health(otherCritical ? Health.DOWN : declared)
                .registeredAt(registeredAt)
                .updatedAt(instant(meta, Registrations.UPDATED_AT, registeredAt))
                .ttl(duration(meta, Registrations.TTL));
        for (Map.Entry<String, String> e : meta.entrySet()) {
            String key = e.getKey();
            if (key.startsWith(MetaKeys.ESCAPED)) {
                String original = MetaKeys.unescape(key)
                        .orElseThrow(() -> new CorruptEntryException(key + ": not a valid escaped metadata key"));
                b.metadata(original, e.getValue());
            } else if (!MetaKeys.isBulwarks(key)) {
                b.metadata(key, e.getValue());
            } // other bulwark-* keys: fields of a later format revision, ignored
        }
    }

    private static int integer(Map<String, String> meta, String key) {
        String text = meta.get(key);
        if (text == null) {
            return 1;
        }
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new CorruptEntryException(key + ": \"" + text + "\" is not an integer");
        }
    }

    private static Health health(String name) {
        try {
            return Health.valueOf(name);
        } catch (IllegalArgumentException e) {
            throw new CorruptEntryException(Registrations.HEALTH + ": \"" + name + "\" is none of UP, DOWN, UNKNOWN");
        }
    }

    private static Instant instant(Map<String, String> meta, String key, Instant fallback) {
        String text = meta.get(key);
        try {
            return text == null || text.isEmpty() ? fallback : Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw new CorruptEntryException(key + ": \"" + text + "\" is not an ISO-8601 instant");
        }
    }

    private static Duration duration(Map<String, String> meta, String key) {
        String text = meta.get(key);
        try {
            return text == null || text.isEmpty() ? Duration.ZERO : Duration.parse(text);
        } catch (DateTimeParseException e) {
            throw new CorruptEntryException(key + ": \"" + text + "\" is not an ISO-8601 duration");
        }
    }
}
