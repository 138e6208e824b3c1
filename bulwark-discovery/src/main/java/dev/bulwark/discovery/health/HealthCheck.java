package dev.bulwark.discovery.health;

import dev.bulwark.discovery.ServiceInstance;

/**
 * One probe of one instance: returns normally if it is healthy, throws (any exception, with the
 * reason) if not. Built-ins: {@link HealthChecks#http(String, java.time.Duration)} and
 * {@link HealthChecks#tcp(java.time.Duration)}; a lambda is a custom check.
 */
@FunctionalInterface
public interface HealthCheck {
    void check(ServiceInstance instance) throws Exception;
}
