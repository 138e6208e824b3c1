package dev.bulwark.discovery.etcd;

import dev.bulwark.discovery.ServiceInstance;
import io.etcd.jetcd.KeyValue;
import java.util.Optional;

/**
 * Reads instances out of etcd key-values, skipping and counting what is corrupt, so that full
 * reads and watches treat a bad key the same way: as absent.
 */
final class Decoder {
    private final Keys keys;
    private final CorruptValues corrupt;

    Decoder(Keys keys, CorruptValues corrupt) {
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
        try {
            return Optional.of(InstanceJson.read(kv.getValue().getBytes(), key.service(), key.instanceId()));
        } catch (CorruptValueException e) {
            corrupt.skipped(Keys.text(kv.getKey()), e.getMessage());
            return Optional.empty();
        }
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
