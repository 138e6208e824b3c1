package dev.bulwark.discovery.nacos;

import dev.bulwark.discovery.ServiceInstance;
import dev.bulwark.time.Ticker;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The changes this client made in the last {@code settle} period, laid over the server's answers.
 *
 * <p>Nacos answers reads from a per-service snapshot that it rebuilds only when it next pushes
 * (about half a second after a change, by default): a read right after a write may not show it.
 * For a short while after each write, this client's own change therefore overrides what the
 * server says about that instance (registered as written, or absent once deregistered), so that
 * a client always reads its own writes and its watches report them at once. After the period the
 * server's answer stands alone again, including anything done to the instance elsewhere (an
 * operator disabling it in the Nacos console, a disconnect removing it).
 */
final class OwnWrites {
    /** One write: the instance as registered, or null once deregistered. */
    private record Write(ServiceInstance instance, long atNanos) {
    }

    private final Ticker ticker;
    private final long settleNanos;
    private final Map<String, Map<String, Write>> byService = new ConcurrentHashMap<>();

    OwnWrites(Ticker ticker, long settleNanos) {
        this.ticker = ticker;
        this.settleNanos = settleNanos;
    }

    /** A copy holding this one's recent writes to {@code service} (a watch keeps its own, changed in event order). */
    OwnWrites copyOf(String service) {
        OwnWrites copy = new OwnWrites(ticker, settleNanos);
        Map<String, Write> writes = byService.get(service);
        if (writes != null) {
            writes.forEach((id, write) -> {
                if (!expired(write)) {
                    copy.writes(service).put(id, write);
                }
            });
        }
        return copy;
    }

    void registered(ServiceInstance instance) {
        writes(instance.service()).put(instance.id(), new Write(instance, ticker.read()));
    }

    void deregistered(String service, String instanceId) {
        writes(service).put(instanceId, new Write(null, ticker.read()));
    }

    /** Whether this client deregistered {@code service}/{@code instanceId} recently (and has not registered it since). */
    boolean recentlyDeregistered(String service, String instanceId) {
        Write write = recent(service, instanceId);
        return write != null && write.instance() == null;
    }

    /** The instance as this client registered it recently, or null. */
    ServiceInstance recentlyRegistered(String service, String instanceId) {
        Write write = recent(service, instanceId);
        return write == null ? null : write.instance();
    }

    /** {@code server} (instances by id) with this client's recent writes to {@code service} applied. */
    Map<String, ServiceInstance> overlay(String service, Map<String, ServiceInstance> server) {
        Map<String, Write> writes = byService.get(service);
        if (writes == null || writes.isEmpty()) {
            return server;
        }
        Map<String, ServiceInstance> out = new LinkedHashMap<>(server);
        writes.forEach((id, write) -> {
            if (expired(write)) {
                writes.remove(id, write);
            } else if (write.instance() == null) {
                out.remove(id);
            } else {
                out.put(id, write.instance());
            }
        });
        return out;
    }

    /** Services this client registered an instance of recently: the server's service list may not show them yet. */
    Set<String> recentServices() {
        Set<String> out = new TreeSet<>();
        byService.forEach((service, writes) -> {
            if (writes.values().stream().anyMatch(w -> w.instance() != null && !expired(w))) {
                out.add(service);
            }
        });
        return out;
    }

    private Write recent(String service, String instanceId) {
        Map<String, Write> writes = byService.get(service);
        Write write = writes == null ? null : writes.get(instanceId);
        return write == null || expired(write) ? null : write;
    }

    private Map<String, Write> writes(String service) {
        return byService.computeIfAbsent(service, s -> new ConcurrentHashMap<>());
    }

    private boolean expired(Write write) {
        return ticker.read() - write.atNanos() >= settleNanos;
    }
}
