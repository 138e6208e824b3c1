package dev.bulwark.grpc.server;

/**
 * One of a server's own health checks (its database, a cache it needs): returns normally when
 * healthy, throws (any exception, saying why) when not. A server runs it on an interval with a
 * timeout; a probe that overruns counts as failing.
 */
@FunctionalInterface
public interface HealthProbe {
    void check() throws Exception;
}
