package dev.bulwark.discovery;

/**
 * An opinion on whether an instance is serving, beside what the registry says: active health
 * checks ({@code HealthMonitor}) provide one. Discovery returns an instance only if its registered
 * health and every view agree it serves.
 */
@FunctionalInterface
public interface HealthView {
    HealthView TRUSTING = instance -> true;

    boolean isServing(ServiceInstance instance);
}
