package dev.bulwark.discovery.etcd;

import dev.bulwark.discovery.ServiceInstance;
import dev.bulwark.discovery.ServiceInstanceJson;
import java.time.Instant;

/**
 * A {@link ServiceInstance} as an etcd value: {@link ServiceInstanceJson}. Other tools may write
 * instances under the prefix too, so a value without a registration time reads as registered at
 * the epoch rather than as corrupt.
 */
final class InstanceJson {
    private InstanceJson() {
    }

    static byte[] write(ServiceInstance instance) {
        return ServiceInstanceJson.encode(instance);
    }

    /**
     * Reads an instance stored under {@code service}/{@code instanceId}.
     *
     * @throws CorruptValueException if the value is no such instance
     */
    static ServiceInstance read(byte[] json, String service, String instanceId) {
        try {
            return ServiceInstanceJson.decode(service, instanceId, json, Instant.EPOCH);
        } catch (IllegalArgumentException e) { // InvalidConfigException from the builder included
            throw new CorruptValueException(e.getMessage(), e);
        }
    }
}
