package dev.bulwark.demo;

import dev.bulwark.breaker.CircuitBreaker;
import dev.bulwark.breaker.CircuitBreakerConfig;
import dev.bulwark.config.BulwarkConfig;
import dev.bulwark.config.ConfigException;
import dev.bulwark.config.ConfiguredRuntime;
import dev.bulwark.config.DashboardServer;
import dev.bulwark.config.GrpcSettings;
import dev.bulwark.config.HttpSettings;
import dev.bulwark.config.PolicySources;
import dev.bulwark.grpc.client.BulwarkChannel;
import dev.bulwark.grpc.server.BulwarkServer;
import dev.bulwark.grpc.test.EchoGrpc;
import dev.bulwark.grpc.test.EchoReply;
import dev.bulwark.grpc.test.EchoRequest;
import dev.bulwark.grpc.test.TestEchoService;
import dev.bulwark.http.ServiceClient;
import dev.bulwark.http.test.TestHttpServer;
import dev.bulwark.logging.EventLog;
import dev.bulwark.logging.LogbackSetup;
import dev.bulwark.registry.PolicyRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An application configured without code: a YAML file and the environment give it its gRPC
 * server (protected, registered in the registry), a gRPC channel to it, an HTTP client (to a
 * stand-in catalog service), named breakers around both, and a config center the breakers follow
 * live. {@code scripts/configured-app [file.yaml] [--duration 30s]}; the file defaults to the
 * bundled {@code configured-app.yaml}, the config center to a directory, and
 * {@code BULWARK_CONFIG_CENTER_TYPE=etcd BULWARK_CONFIG_CENTER_ENDPOINTS=http://127.0.0.1:2379}
 * follows etcd instead: write {@code /config/dev/configured-app/breakers/http:catalog.json} there
 * and watch the breaker change.
 */
public final class ConfiguredApp implements AutoCloseable {
    static final String GRPC_BREAKER = "grpc:echo";
    static final String HTTP_BREAKER = "http:catalog";
    private static final Logger LOG = LoggerFactory.getLogger("dev.bulwark.demo.app");

    private final BulwarkConfig config;
    private final ConfiguredRuntime runtime;
    private final BulwarkServer server;
    private final TestHttpServer catalog;
    private final ServiceClient http;
    private final BulwarkChannel channel;
    private final PolicyRegistry<CircuitBreaker, CircuitBreakerConfig> breakers;
    private final String policyDirectory;
    private final DashboardServer dashboard; // null unless dashboard.enabled

    private ConfiguredApp(BulwarkConfig config) {
        this.config = config;
        this.runtime = ConfiguredRuntime.start(config); // registry, discovery, named policies following the center
        this.server = GrpcSettings.server(config).service("echo", new TestEchoService("configured-app")).registry(runtime.registry())
                .build().start();
        this.catalog = TestHttpServer.start("catalog");
        catalog.register(runtime.registry(), "catalog");
        this.http = HttpSettings.client(config, runtime.discovery()).build();
        this.channel = GrpcSettings.channel(config, "echo", runtime.discovery()).build();
        this.breakers = EventLog.breakers(runtime.breakers());
        this.policyDirectory = runtime.livePolicies().isEmpty() ? "(no config center)" : PolicySources.directory(config, "breakers");
        this.dashboard = DashboardServer.start(runtime).orElse(null);
    }

    /** Starts the application from {@code yaml} (named {@code sourceName} in messages) and {@code environment}. */
    static ConfiguredApp start(String yaml, String sourceName, Map<String, String> environment) {
        BulwarkConfig config = BulwarkConfig.loader().yaml(yaml, sourceName).environment(environment).load();
        return new ConfiguredApp(config);
    }

    /** The bundled configured-app.yaml. */
    static String bundledYaml() throws IOException {
        try (InputStream in = ConfiguredApp.class.getResourceAsStream("/configured-app.yaml")) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    BulwarkConfig config() {
        return config;
    }

    PolicyRegistry<CircuitBreaker, CircuitBreakerConfig> breakers() {
        return breakers;
    }

    /** Where the breakers' documents are read from, e.g. {@code /config/dev/configured-app/breakers/}. */
    String policyDirectory() {
        return policyDirectory;
    }

    /** Where the dashboard's status is served; empty when the configuration does not enable it. */
    Optional<URI> dashboardStatus() {
        return Optional.ofNullable(dashboard).map(DashboardServer::statusUri);
    }

    int grpcPort() {
        return server.port();
    }

    /** One gRPC call and one HTTP call, each through its named breaker; returns what they answered. */
    String callOnce() throws Exception {
        EchoReply reply = breakers.get(GRPC_BREAKER).call(() -> EchoGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
                .unary(EchoRequest.newBuilder().setMessage("hello").build()));
        String echoed = reply.getServer() + ": " + reply.getMessage();
        int status = breakers.get(HTTP_BREAKER).call(() -> http.get("catalog", "/echo").status());
        return echoed + " / HTTP " + status;
    }

    @Override
    public void close() {
        if (dashboard != null) {
            dashboard.close();
        }
        channel.shutdownNow();
        http.close();
        server.close();
        catalog.close();
        runtime.close();
    }

    public static void main(String[] args) throws Exception {
        String yaml;
        String name;
        Duration duration = Duration.ofSeconds(20);
        int i = 0;
        if (args.length > 0 && !args[0].startsWith("--")) {
            Path file = Path.of(args[0]);
            yaml = Files.readString(file, StandardCharsets.UTF_8);
            name = file.getFileName().toString();
            i = 1;
        } else {
            yaml = bundledYaml();
            name = "configured-app.yaml";
        }
        if (args.length == i + 2 && args[i].equals("--duration")) {
            duration = Duration.ofSeconds(Long.parseLong(args[i + 1].replaceAll("s$", "")));
        }
        PrintStream out = System.out;
        ConfiguredApp app;
        try {
            app = start(yaml, name, System.getenv());
        } catch (ConfigException e) {
            System.err.println("configured-app: " + e.getMessage());
            System.exit(2);
            return;
        }
        LogbackSetup.apply(app.config());
        LOG.info("effective configuration:\n{}", app.config().describe());
        try (app) {
            out.println("gRPC server on 127.0.0.1:" + app.grpcPort() + "; breakers follow " + app.policyDirectory()
                    + " (" + app.config().value("config-center.type").orElse("none") + ")");
            app.dashboardStatus().ifPresent(uri -> out.println("status of every policy and service at " + uri));
            long end = System.nanoTime() + duration.toNanos();
            long nextReport = 0;
            while (System.nanoTime() - end < 0) {
                String answer;
                try {
                    answer = app.callOnce();
                } catch (Exception e) {
                    answer = "failed: " + e;
                }
                if (System.nanoTime() - nextReport >= 0) {
                    CircuitBreaker httpBreaker = app.breakers().get(HTTP_BREAKER);
                    out.printf(Locale.ROOT, "%s | %s %s, trips after %d failures in a row, open %ds%n", answer, HTTP_BREAKER,
                            httpBreaker.state(), httpBreaker.config().consecutiveFailures(),
                            TimeUnit.NANOSECONDS.toSeconds(httpBreaker.config().openNanos()));
                    nextReport = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
                }
                TimeUnit.MILLISECONDS.sleep(100);
            }
        }
    }
}
