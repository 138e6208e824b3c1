package dev.bulwark.discovery;

/**
 * A change to one instance of a watched service.
 *
 * @param type what happened
 * @param service the service
 * @param instanceId the instance
 * @param instance the instance as it now is; for DELETED, as it last was (null if unknown)
 */
public record RegistryEvent(Type type, String service, String instanceId, ServiceInstance instance) {

    /** The kinds of change. */
    public enum Type {
        CREATED, UPDATED, DELETED
    }

    public static RegistryEvent created(ServiceInstance instance) {
        return new RegistryEvent(Type.CREATED, instance.service(), instance.id(), instance);
    }

    public static RegistryEvent updated(ServiceInstance instance) {
        return new RegistryEvent(Type.UPDATED, instance.service(), instance.id(), instance);
    }

    public static RegistryEvent deleted(String service, String instanceId, ServiceInstance last) {
        return new RegistryEvent(Type.DELETED, service, instanceId, last);
    }
}
