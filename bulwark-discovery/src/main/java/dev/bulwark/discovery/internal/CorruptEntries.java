package dev.bulwark.discovery.internal;

import dev.bulwark.discovery.CorruptEntryCounts;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * The entries of a registry that hold no valid service instance: a bad entry must not stop
 * discovery (it is skipped wherever it is read), but someone should hear of it once, not at every
 * periodic read. Counts two things, named for what they are: the distinct keys known bad now (a
 * key leaves the set when it is read valid again or deleted), and the reads that met a bad entry.
 * Logs each bad key once while it stays bad. Memory is bounded: past {@value #MAX_KEYS} distinct
 * keys, further ones are counted in the reads but neither remembered nor logged.
 */
public final class CorruptEntries {
    private static final int MAX_KEYS = 10_000;

    private final System.Logger log;
    private final String registry;
    private final Set<String> bad = ConcurrentHashMap.newKeySet();
    private final Set<String> noted = ConcurrentHashMap.newKeySet();
    private final LongAdder reads = new LongAdder();

    /** @param registry the registry's name as messages say it ("etcd", "Consul") */
    public CorruptEntries(String registry, System.Logger log) {
        this.registry = registry;
        this.log = log;
    }

    /** A read met {@code key} holding no valid instance, because {@code why}. */
    public void skipped(String key, String why) {
        reads.increment();
        if (bad.size() < MAX_KEYS && bad.add(key)) {
            log.log(System.Logger.Level.WARNING, registry + " entry " + key + " holds no valid service instance (" + why
                    + "); skipping it (logged once while it stays so)");
        }
    }

    /**
     * A read met {@code key}, written by another tool in a form that cannot be an instance: left
     * out and noted once at INFO, but not corrupt.
     */
    public void foreign(String key, String why) {
        if (noted.size() < MAX_KEYS && noted.add(key)) {
            log.log(System.Logger.Level.INFO, registry + " entry " + key + " was written by another tool and cannot be "
                    + "represented as an instance (" + why + "); leaving it out (logged once)");
        }
    }

    /** {@code key} was read valid, or deleted: it is no longer bad. */
    public void cleared(String key) {
        if (!bad.isEmpty()) {
            bad.remove(key);
        }
    }

    /**
     * A full read of every key starting with {@code prefix} met exactly {@code badInRead} bad: any
     * other bad key under the prefix was deleted or repaired since.
     */
    public void reconcile(String prefix, java.util.Collection<String> badInRead) {
        if (!bad.isEmpty()) {
            bad.removeIf(key -> key.startsWith(prefix) && !badInRead.contains(key));
        }
    }

    public CorruptEntryCounts counts() {
        return new CorruptEntryCounts(bad.size(), reads.sum());
    }
}
