package dev.bulwark.discovery.zookeeper;

import dev.bulwark.discovery.ServiceInstance;
import dev.bulwark.discovery.ServiceInstanceJson;

/**
 * A {@link ServiceInstance} as the JSON a znode holds: {@link ServiceInstanceJson}, with a
 * registration time required (ZooKeeper nodes are written by Bulwark, which always sets it).
 */
final class InstanceCodec {
    private InstanceCodec() {
    }

    static byte[] encode(ServiceInstance instance) {
        return ServiceInstanceJson.encode(instance);
    }

    /**
     * The instance {@code data} describes, which must be {@code service}/{@code instanceId}.
     *
     * @throws IllegalArgumentException saying what is wrong, when the data is not such an instance
     */
    static ServiceInstance decode(String service, String instanceId, byte[] data) {
        return ServiceInstanceJson.decode(service, instanceId, data, null);
    }

    static String preview(byte[] data) {
        return ServiceInstanceJson.preview(data);
    }
}
