package dev.bulwark.grpc.test;

import dev.bulwark.discovery.ServiceInstance;
import dev.bulwark.discovery.ServiceRegistry;
import dev.bulwark.grpc.server.BulwarkServer;
import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Echo servers on loopback, on free ports, registered in a registry under one service name; for
 * tests, the demo and the benchmarks. Closing drains whatever is still running, without delays.
 */
public final class EchoServers implements AutoCloseable {
    private final Map<String, TestEchoService> services = new LinkedHashMap<>();
    private final Map<String, BulwarkServer> servers = new LinkedHashMap<>();
    private final Map<String, Server> killable = new LinkedHashMap<>();
    private final Map<String, Integer> ports = new LinkedHashMap<>();
    private final ServiceRegistry registry;
    private final String service;

    public EchoServers(ServiceRegistry registry, String service) {
        this.registry = registry;
        this.service = service;
    }

    /** Starts a server named {@code name}. */
    public TestEchoService start(String name) {
        return start(name, b -> b);
    }

    /** Starts a server named {@code name}, with settings of the test's own. */
    public TestEchoService start(String name, UnaryOperator<BulwarkServer.Builder> settings) {
        TestEchoService echo = new TestEchoService(name);
        BulwarkServer.Builder b = BulwarkServer.builder().bind("127.0.0.1", 0).service(service, echo)
                .drain(Duration.ZERO, Duration.ofSeconds(5));
        if (registry != null) {
            b.registry(registry).instance(i -> i.metadata("name", name));
        }
        BulwarkServer server = settings.apply(b).build().start();
        services.put(name, echo);
        servers.put(name, server);
        ports.put(name, server.port());
        return echo;
    }

    /**
     * Starts a plain grpc-java server named {@code name} and registers it by hand, so that it can
     * die as a process dies: {@link #kill(String)} stops it at once and leaves it registered.
     */
    public TestEchoService startKillable(String name) {
        TestEchoService echo = new TestEchoService(name);
        try {
            Server plain = Grpc.newServerBuilderForPort(0, InsecureServerCredentials.create()).addService(echo).build().start();
            registry.register(ServiceInstance.builder(service, "127.0.0.1", plain.getPort()).id(name).protocol("grpc")
                    .metadata("name", name).build());
            services.put(name, echo);
            killable.put(name, plain);
            ports.put(name, plain.getPort());
            return echo;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops a server started with {@link #startKillable} at once, as a crash would: its registration stays. */
    public void kill(String name) {
        killable.get(name).shutdownNow();
    }

    public TestEchoService echo(String name) {
        return services.get(name);
    }

    public BulwarkServer server(String name) {
        return servers.get(name);
    }

    /** {@code 127.0.0.1:port} of the named server. */
    public String address(String name) {
        return "127.0.0.1:" + ports.get(name);
    }

    /** Calls each server received, by name. */
    public Map<String, Integer> calls() {
        Map<String, Integer> calls = new LinkedHashMap<>();
        services.forEach((name, echo) -> calls.put(name, echo.calls()));
        return calls;
    }

    public List<String> names() {
        return new ArrayList<>(services.keySet());
    }

    @Override
    public void close() {
        servers.values().forEach(BulwarkServer::close);
        killable.values().forEach(Server::shutdownNow);
    }
}
