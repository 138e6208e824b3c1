package dev.bulwark.discovery.etcd;

import dev.bulwark.discovery.ServiceInstance;
import dev.bulwark.discovery.internal.CorruptEntries;
import io.etcd.jetcd.KeyValue;
import java.util.Optional;

/**
 * Reads instances out of etcd key-values, skipping and counting what is corrupt, so that full
 * reads and watches treat a bad key the same way: as absent.
 */
final class Decoder {
    private final Keys keys;
    /** The largest value read as an instance: an instance is a small JSON document; anything this big is not one. */
    static final int MAX_VALUE_BYTES = 1 << 20;

    private final CorruptEntries corrupt;

    Decoder(Keys keys, CorruptEntries corrupt) {
        this.keys = keys;
        this.corrupt = corrupt;
    }

    /** The service and id {@code kv}'s key names, or empty (counted) when it names none. */
    Optional<Keys.Parsed> key(KeyValue kv) {
        Optional<Keys.Parsed> parsed = keys.parse(kv.getKey());
        if (parsed.isEmpty()) {
            corrupt.skipped(Keys.text(kv.getKey()), "the key is not " + keys.prefix() + "/<service>/<instance id>");
        }
        return parsed;
    }

    /** The instance in {@code kv}, or empty (counted, logged once per key) when the value is corrupt. */
    Optional<ServiceInstance> instance(KeyValue kv) {
        return key(kv).flatMap(parsed -> instance(kv, parsed));
    }

    Optional<ServiceInstance> instance(KeyValue kv, Keys.Parsed key) {
        String text = Keys.text(kv.getKey());
        if (kv.getValue().size() > MAX_VALUE_BYTES) {
            corrupt.skipped(text, "a value of " + kv.getValue().size() + " bytes, over the " + MAX_VALUE_BYTES
                    + " an instance may take");
            return Optional.empty();
        }
        try {
            ServiceInstance instance = InstanceJson.read(kv.getValue().getBytes(), key.service(), key.instanceId());
            corrupt.cleared(text);
            return Optional.of(instance);
        } catch (CorruptValueException e) {
            corrupt.skipped(text, e.getMessage());
            return Optional.empty();
        }
    }

    /** A value too large to fetch at all: counted as one corrupt entry under its key. */
    void oversized(String key, String why) {
        corrupt.skipped(key, why);
    }

    /** {@code key} was deleted: if it was bad, it is no longer. */
    void deleted(KeyValue kv) {
        corrupt.cleared(Keys.text(kv.getKey()));
    }

    /** The instance in {@code kv} if it is one, without counting: for previous values, counted when they were written. */
    static Optional<ServiceInstance> quietly(KeyValue kv, Keys.Parsed key) {
        try {
            return Optional.of(InstanceJson.read(kv.getValue().getBytes(), key.service(), key.instanceId()));
        } catch (CorruptValueException e) {
            return Optional.empty();
        }
    }
}
