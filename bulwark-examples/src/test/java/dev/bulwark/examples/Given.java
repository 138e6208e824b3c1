package dev.bulwark.examples;

import dev.bulwark.breaker.CircuitBreaker;
import dev.bulwark.discovery.InMemoryRegistry;
import dev.bulwark.discovery.ServiceDiscovery;
import dev.bulwark.discovery.ServiceRegistry;
import dev.bulwark.time.Ticker;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * The names documentation examples take as given, so that each example shows only what it is
 * about: a registry to register in, a discovery to read from, a meter registry, a ticker, a gRPC
 * service and channel, a database to check. An
 * example may declare its own under the same name.
 */
public abstract class Given {
    protected final ServiceRegistry registry = InMemoryRegistry.create();
    protected final ServiceDiscovery discovery = ServiceDiscovery.builder(registry).build();
    protected final MeterRegistry meterRegistry = new SimpleMeterRegistry();
    protected final Ticker ticker = Ticker.system();
    protected final CircuitBreaker breaker = CircuitBreaker.builder("given").consecutiveFailures(5).build();
    protected final String userId = "user-42";
    protected final String secret = "a password from your secret store";
    protected final String aclToken = "an ACL token from your secret store";
    /** A configuration, as {@code BulwarkConfig.loader()...load()} gives it. */
    protected final dev.bulwark.config.BulwarkConfig config = dev.bulwark.config.BulwarkConfig.defaults();

    /** Stands for an application's gRPC service implementation. */
    protected final io.grpc.BindableService userService = new dev.bulwark.grpc.test.TestEchoService("users");
    /** Stands for an application's database, in health-check examples. */
    protected final Database database = () -> { };
    /** A gRPC channel, for examples of calls. */
    protected dev.bulwark.grpc.client.BulwarkChannel channel;

    /** Stands for a database client. */
    protected interface Database {
        void ping() throws Exception;
    }

    /** Stands for a call that fails, in examples of what a failure does. */
    protected static <T> T failWith(String message) {
        throw new IllegalStateException(message);
    }
}
