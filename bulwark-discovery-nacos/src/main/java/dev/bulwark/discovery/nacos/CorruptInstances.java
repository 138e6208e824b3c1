package dev.bulwark.discovery.nacos;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts instances skipped as corrupt and logs each one once, at WARNING: a bad instance must not
 * stop discovery (it is left out of every read and push), but someone should hear of it, and a
 * push or periodic read must not repeat the warning every time.
 */
final class CorruptInstances {
    private static final System.Logger LOG = System.getLogger("dev.bulwark.discovery.nacos");
    /** Past this many distinct instances, later ones are counted but not logged: memory stays bounded. */
    private static final int MAX_LOGGED = 10_000;

    private final LongAdder count = new LongAdder();
    private final Set<String> logged = ConcurrentHashMap.newKeySet();

    void skipped(String service, String instance, String why) {
        count.increment();
        String key = service + "/" + instance;
        if (logged.size() < MAX_LOGGED && logged.add(key)) {
            LOG.log(System.Logger.Level.WARNING, "Nacos instance " + instance + " of service " + service
                    + " holds no valid Bulwark instance (" + why + "); skipping it (logged once per instance)");
        }
    }

    long count() {
        return count.sum();
    }
}
