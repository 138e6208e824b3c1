package dev.bulwark.discovery.consul;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts entries skipped as corrupt and logs each skipped instance once, at WARNING (corrupt) or
 * INFO (registered by another tool, not representable): a bad entry
 * in Consul must not stop discovery (it is skipped wherever it is read), but someone should hear
 * of it, and a watch re-reading the service on every change must not repeat the warning each time.
 */
final class CorruptEntries {
    private static final System.Logger LOG = System.getLogger("dev.bulwark.discovery.consul");
    /** Past this many distinct entries, later ones are counted but not logged: memory stays bounded. */
    private static final int MAX_LOGGED = 10_000;

    private final LongAdder count = new LongAdder();
    private final Set<String> logged = ConcurrentHashMap.newKeySet();

    void skipped(String service, String id, CorruptEntryException why) {
        String key = service + "/" + id;
        if (why.foreign()) {
            if (logged.size() < MAX_LOGGED && logged.add(key)) {
                LOG.log(System.Logger.Level.INFO, "Consul service " + key + " was registered without Bulwark's meta and "
                        + "cannot be represented as an instance (" + why.getMessage() + "); leaving it out (logged once)");
            }
            return;
        }
        count.increment();
        if (logged.size() < MAX_LOGGED && logged.add(key)) {
            LOG.log(System.Logger.Level.WARNING, "Consul service " + key + " carries Bulwark meta but no valid instance ("
                    + why.getMessage() + "); skipping it (logged once per instance)");
        }
    }

    long count() {
        return count.sum();
    }
}
