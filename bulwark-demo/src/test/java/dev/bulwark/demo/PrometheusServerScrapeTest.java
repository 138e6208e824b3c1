package dev.bulwark.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import dev.bulwark.call.ClientPool;
import dev.bulwark.call.Stages;
import dev.bulwark.grpc.server.BulwarkServer;
import dev.bulwark.grpc.test.EchoGrpc;
import dev.bulwark.grpc.test.EchoRequest;
import dev.bulwark.grpc.test.TestEchoService;
import dev.bulwark.micrometer.ClientPoolMeters;
import dev.bulwark.micrometer.GrpcMeters;
import dev.bulwark.micrometer.MicrometerCallRecorder;
import io.grpc.ClientInterceptors;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Prometheus server (Debian's {@code prometheus}, which {@code scripts/test} installs) scrapes
 * a running Bulwark application, the demo's metrics endpoint with a client pool and a gRPC client
 * and server behind it, and the test reads the series back through Prometheus's query API. Without
 * the binary the test fails rather than skips, so a missing install step cannot pass unnoticed.
 */
class PrometheusServerScrapeTest {
    private static final Pattern VALUE = Pattern.compile("\"value\":\\[[0-9.]+,\"([^\"]+)\"\\]");

    @TempDir
    Path temp;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private Process prometheus;

    @AfterEach
    void stopPrometheus() throws InterruptedException {
        if (prometheus != null) {
            prometheus.destroy();
            if (!prometheus.waitFor(10, TimeUnit.SECONDS)) {
                prometheus.destroyForcibly();
            }
        }
    }

    @Test
    void aRealPrometheusScrapesThePoolAndGrpcSeries() throws Exception {
        try (MetricsServer metrics = MetricsServer.start(0);
                BulwarkServer server = BulwarkServer.builder().bind("127.0.0.1", 0).service(new TestEchoService("scraped"))
                        .interceptor(GrpcMeters.create(metrics.registry()).serverInterceptor())
                        .drain(Duration.ZERO, Duration.ofSeconds(1)).build().start()) {
            ClientPool<String> pool = ClientPool.<String>builder("inventory")
                    .stage(Stages.metrics(MicrometerCallRecorder.of(metrics.registry())))
                    .build();
            pool.add("inventory-1", "client-1");
            ClientPoolMeters.of(pool).bindTo(metrics.registry());
            for (int i = 0; i < 3; i++) {
                String answered = pool.call((client, endpoint, context) -> client);
                assertThat(answered).isEqualTo("client-1");
            }
            ManagedChannel channel = Grpc.newChannelBuilder("127.0.0.1:" + server.port(), InsecureChannelCredentials.create()).build();
            try {
                EchoGrpc.EchoBlockingStub stub = EchoGrpc.newBlockingStub(
                        ClientInterceptors.intercept(channel, GrpcMeters.create(metrics.registry()).clientInterceptor()));
                for (int i = 0; i < 2; i++) {
                    stub.withDeadlineAfter(10, TimeUnit.SECONDS).unary(EchoRequest.newBuilder().setMessage("m" + i).build());
                }
            } finally {
                channel.shutdownNow();
            }

            URI api = startPrometheus(metrics.address());

            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
                assertThat(value(api, "up{job=\"bulwark-demo\"}")).as("the target is up").isEqualTo("1");
                assertThat(value(api, "bulwark_pool_requests_total{pool=\"inventory\",endpoint=\"inventory-1\",outcome=\"success\"}"))
                        .isEqualTo("3");
                assertThat(value(api, "bulwark_grpc_client_requests_seconds_count{service=\"bulwark.test.Echo\",method=\"Unary\",status=\"OK\"}"))
                        .isEqualTo("2");
                assertThat(value(api, "sum(bulwark_grpc_server_requests_seconds_bucket{method=\"Unary\",status=\"OK\",le=\"+Inf\"})"))
                        .isEqualTo("2");
            });
        }
    }

    /** Starts Prometheus on a free loopback port, scraping {@code target} every second; returns its API root. */
    private URI startPrometheus(URI target) throws IOException {
        int port = freePort();
        Path config = temp.resolve("prometheus.yml");
        Files.writeString(config, """
                global:
                  scrape_interval: 1s
                  scrape_timeout: 1s
                scrape_configs:
                  - job_name: bulwark-demo
                    metrics_path: %s
                    static_configs:
                      - targets: ['127.0.0.1:%d']
                """.formatted(target.getPath(), target.getPort()), StandardCharsets.UTF_8);
        prometheus = new ProcessBuilder(List.of(executable("prometheus").toString(),
                "--config.file=" + config,
                "--storage.tsdb.path=" + temp.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port,
                "--log.level=warn"))
                .redirectErrorStream(true)
                .redirectOutput(temp.resolve("prometheus.log").toFile())
                .start();
        return URI.create("http://127.0.0.1:" + port + "/api/v1/query");
    }

    /** The single value an instant query returns, or null while it returns none. */
    private String value(URI api, String query) throws IOException, InterruptedException {
        if (!prometheus.isAlive()) {
            fail("prometheus exited with %d:%n%s", prometheus.exitValue(), Files.readString(temp.resolve("prometheus.log")));
        }
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                        URI.create(api + "?query=" + URLEncoder.encode(query, StandardCharsets.UTF_8)))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("%s: %s", query, response.body()).isEqualTo(200);
        Matcher matcher = VALUE.matcher(response.body());
        return matcher.find() ? matcher.group(1) : null;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    /** {@code name} on the PATH; its absence fails the test, since scripts/test installs it. */
    private static Path executable(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, name);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return fail("%s is not on the PATH (%s). scripts/test installs it from Debian's prometheus package;"
                + " by hand: apt-get install --no-install-recommends prometheus", name, System.getenv("PATH"));
    }
}
