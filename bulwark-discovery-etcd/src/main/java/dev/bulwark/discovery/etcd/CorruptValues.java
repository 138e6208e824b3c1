package dev.bulwark.discovery.etcd;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts values skipped as corrupt and logs each corrupt key once, at WARNING: a bad value in
 * the registry must not stop discovery (it is skipped wherever it is read), but someone should
 * hear of it, and a periodic full read must not repeat the warning every time.
 */
final class CorruptValues {
    private static final System.Logger LOG = System.getLogger("dev.bulwark.discovery.etcd");
    /** Past this many distinct keys, later ones are counted but not logged: memory stays bounded. */
    private static final int MAX_LOGGED_KEYS = 10_000;

    private final LongAdder count = new LongAdder();
    private final Set<String> logged = ConcurrentHashMap.newKeySet();

    void skipped(String key, String why) {
        count.increment();
        if (logged.size() < MAX_LOGGED_KEYS && logged.add(key)) {
            LOG.log(System.Logger.Level.WARNING, "etcd key " + key + " holds no valid service instance (" + why
                    + "); skipping it (logged once per key)");
        }
    }

    long count() {
        return count.sum();
    }
}
