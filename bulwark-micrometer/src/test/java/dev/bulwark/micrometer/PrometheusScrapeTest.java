package dev.bulwark.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.bulwark.breaker.CircuitBreaker;
import dev.bulwark.breaker.CircuitBreakerConfig;
import dev.bulwark.breaker.CircuitBreakers;
import dev.bulwark.bulkhead.Bulkhead;
import dev.bulwark.bulkhead.BulkheadConfig;
import dev.bulwark.bulkhead.WorkerPool;
import dev.bulwark.call.ClientPool;
import dev.bulwark.call.Stages;
import dev.bulwark.discovery.InMemoryRegistry;
import dev.bulwark.discovery.ServiceDiscovery;
import dev.bulwark.grpc.server.BulwarkServer;
import dev.bulwark.grpc.test.EchoGrpc;
import dev.bulwark.grpc.test.EchoRequest;
import dev.bulwark.grpc.test.TestEchoService;
import dev.bulwark.http.HttpStatusException;
import dev.bulwark.http.ServiceClient;
import dev.bulwark.http.test.TestHttpServer;
import dev.bulwark.ratelimit.RateLimitedException;
import dev.bulwark.ratelimit.SlidingWindowLimiter;
import dev.bulwark.ratelimit.TokenBucket;
import dev.bulwark.registry.PolicyRegistry;
import dev.bulwark.testing.FakeTicker;
import dev.bulwark.testing.VirtualScheduler;
import io.grpc.ClientInterceptors;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scrapes a real Prometheus registry carrying every meter of this module, and has Prometheus's own
 * {@code promtool check metrics} parse and lint the text. promtool comes from Debian's
 * {@code prometheus} package, which {@code scripts/test} installs; without it this test fails
 * rather than skips, so a missing install step cannot pass unnoticed.
 */
class PrometheusScrapeTest {
    @TempDir
    Path temp;

    @Test
    void seedCompatibleNamesScrapeAsTheSeedsMetricsAndPassPromtool() throws Exception {
        String scrape = scrapeAfterTraffic(CallMetricNames.MIDDLEWARE);

        assertThat(scrape)
                .contains("middleware_requests_total{endpoint=\"inventory-1\",outcome=\"success\",pool=\"inventory\"} 2.0\n")
                // Buckets from the 1 ms expected at least, to +Inf: the 10 ms calls are above the first.
                .contains("middleware_request_duration_seconds_bucket{endpoint=\"inventory-1\",outcome=\"success\",pool=\"inventory\",le=\"0.001\"} 0\n")
                .contains("middleware_request_duration_seconds_bucket{endpoint=\"inventory-1\",outcome=\"success\",pool=\"inventory\",le=\"+Inf\"} 2\n")
                .contains("middleware_request_duration_seconds_count{endpoint=\"inventory-1\",outcome=\"failure\",pool=\"inventory\"} 1\n")
                .contains("middleware_request_duration_seconds_sum{endpoint=\"inventory-1\",outcome=\"failure\",pool=\"inventory\"} 0.03\n")
                .contains("middleware_request_errors_total{endpoint=\"inventory-1\",outcome=\"failure\",pool=\"inventory\"} 1.0\n")
                .contains("middleware_request_errors_total{endpoint=\"inventory-1\",outcome=\"rejected\",pool=\"inventory\"} 1.0\n")
                .doesNotContain("bulwark_pool_request");
        assertPromtoolAccepts(scrape, "middleware");
    }

    @Test
    void bulwarkNamesAndEveryBinderPassPromtool() throws Exception {
        String scrape = scrapeAfterTraffic(CallMetricNames.BULWARK);

        assertThat(scrape)
                .contains("bulwark_pool_requests_total{endpoint=\"inventory-1\",outcome=\"success\",pool=\"inventory\"} 2.0\n")
                .contains("bulwark_pool_request_duration_seconds_bucket{endpoint=\"inventory-1\",outcome=\"failure\",pool=\"inventory\",le=\"+Inf\"} 1\n")
                .contains("bulwark_pool_request_errors_total{endpoint=\"inventory-1\",outcome=\"rejected\",pool=\"inventory\"} 1.0\n")
                .contains("bulwark_pool_endpoint_in_flight{endpoint=\"inventory-1\",pool=\"inventory\"} 0.0\n")
                .contains("bulwark_pool_endpoint_latency_ewma_seconds{endpoint=\"inventory-1\",pool=\"inventory\"} 0.03\n")
                .contains("bulwark_breaker_state{name=\"payments\",state=\"forced_open\"} 1.0\n")
                .contains("bulwark_breaker_transitions_total{from=\"closed\",name=\"payments\",to=\"forced_open\"} 1.0\n")
                .contains("bulwark_breaker_rejected_calls_total{name=\"payments\"} 1.0\n")
                .contains("bulwark_bulkhead_in_flight{name=\"reports\"} 1.0\n")
                .contains("bulwark_ratelimiter_available_permits{name=\"inventory\"} 0.0\n")
                .contains("bulwark_ratelimiter_window_limit{name=\"login\"} 5.0\n")
                .contains("bulwark_worker_pool_completed_total{name=\"thumbnails\"}")
                .doesNotContain("middleware_");
        assertPromtoolAccepts(scrape, "bulwark");
    }

    @Test
    void transportMetersPublishHistogramsAndPassPromtool() throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        GrpcMeters grpcMeters = GrpcMeters.create(registry);
        InMemoryRegistry services = InMemoryRegistry.create();
        try (BulwarkServer grpc = BulwarkServer.builder().bind("127.0.0.1", 0).service(new TestEchoService("scraped"))
                        .interceptor(grpcMeters.serverInterceptor()).drain(Duration.ZERO, Duration.ofSeconds(1)).build().start();
                TestHttpServer http = TestHttpServer.start("scraped");
                ServiceDiscovery discovery = ServiceDiscovery.builder(services).build()) {
            ManagedChannel channel = Grpc.newChannelBuilder("127.0.0.1:" + grpc.port(), InsecureChannelCredentials.create()).build();
            try {
                EchoGrpc.EchoBlockingStub stub = EchoGrpc.newBlockingStub(
                        ClientInterceptors.intercept(channel, grpcMeters.clientInterceptor())).withDeadlineAfter(10, TimeUnit.SECONDS);
                assertThat(stub.unary(EchoRequest.newBuilder().setMessage("hi").build()).getMessage()).contains("hi");
                assertThatThrownBy(() -> stub.unary(EchoRequest.newBuilder().setFailCode(Status.Code.UNAVAILABLE.value()).build()))
                        .isInstanceOf(StatusRuntimeException.class);
            } finally {
                channel.shutdownNow();
            }
            http.register(services, "users");
            try (ServiceClient client = HttpClientMeters.create(registry).applyTo(ServiceClient.builder(discovery).noRetry()).build()) {
                client.get("users", "/echo");
                assertThatThrownBy(() -> client.get("users", "/status/503")).isInstanceOf(HttpStatusException.class);
            }
            // The server records a call after its reply has gone out, so the client can see it first.
            await().atMost(Duration.ofSeconds(5)).until(() -> registry.scrape().contains(
                    "bulwark_grpc_server_requests_seconds_count{method=\"Unary\",service=\"bulwark.test.Echo\",status=\"UNAVAILABLE\"} 1"));
        }
        String scrape = registry.scrape();

        assertThat(scrape)
                .contains("bulwark_grpc_client_requests_seconds_bucket{method=\"Unary\",service=\"bulwark.test.Echo\",status=\"OK\",le=\"+Inf\"} 1\n")
                .contains("bulwark_grpc_server_requests_seconds_bucket{method=\"Unary\",service=\"bulwark.test.Echo\",status=\"UNAVAILABLE\",le=\"+Inf\"} 1\n")
                .contains("bulwark_grpc_client_requests_active{method=\"Unary\",service=\"bulwark.test.Echo\"} 0.0\n")
                .contains("bulwark_http_client_requests_seconds_bucket{method=\"GET\",outcome=\"SUCCESS\",service=\"users\",status=\"200\",le=\"+Inf\"} 1\n")
                .contains("bulwark_http_client_requests_seconds_count{method=\"GET\",outcome=\"SERVER_ERROR\",service=\"users\",status=\"503\"} 1\n")
                .contains("bulwark_http_client_requests_active{service=\"users\"} 0.0\n");
        assertPromtoolAccepts(scrape, "transports");
    }

    /** A pool with 2 successes, 1 failure and 1 rejection on one endpoint, and one of each binder. */
    private static String scrapeAfterTraffic(CallMetricNames names) throws Exception {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        VirtualScheduler scheduler = new VirtualScheduler();
        FakeTicker ticker = scheduler.ticker();
        TokenBucket limiter = TokenBucket.builder("inventory").permitsPerSecond(0.001).burst(3).scheduler(scheduler).build();
        ClientPool<String> pool = ClientPool.<String>builder("inventory")
                .ticker(ticker)
                .stage(Stages.metrics(MicrometerCallRecorder.of(registry, names), ticker))
                .stage(Stages.rateLimiter(limiter, Duration.ZERO))
                .build();
        pool.add("inventory-1", "client-1");
        for (int i = 0; i < 2; i++) {
            pool.call((client, endpoint, context) -> {
                ticker.advance(Duration.ofMillis(10));
                return client;
            });
        }
        try {
            pool.call((client, endpoint, context) -> {
                ticker.advance(Duration.ofMillis(30));
                throw new IOException("connection reset");
            });
            fail("the call should have failed");
        } catch (dev.bulwark.CallFailedException expected) {
            assertThat(expected).hasCauseInstanceOf(IOException.class);
        }
        try {
            pool.call((client, endpoint, context) -> client);
            fail("the call should have been rate limited");
        } catch (RateLimitedException expected) {
            // recorded as rejected
        }
        ClientPoolMeters.of(pool).bindTo(registry);
        RateLimiterMeters.of(limiter).bindTo(registry);

        PolicyRegistry<CircuitBreaker, CircuitBreakerConfig> breakers =
                CircuitBreakers.registry(CircuitBreakerConfig.defaults(), ticker);
        PolicyRegistryMeters.breakers(breakers).bindTo(registry);
        CircuitBreaker payments = breakers.get("payments");
        payments.forceOpen();
        assertThat(payments.tryAcquirePermission()).isEqualTo(CircuitBreaker.NO_PERMIT);

        Bulkhead reports = Bulkhead.of("reports", BulkheadConfig.of(2));
        BulkheadMeters.of(reports).bindTo(registry);
        assertThat(reports.tryAcquirePermission()).isTrue();

        SlidingWindowLimiter login = SlidingWindowLimiter.builder("login").limit(5, Duration.ofSeconds(1))
                .scheduler(scheduler).build();
        RateLimiterMeters.of(login).bindTo(registry);

        try (WorkerPool workers = WorkerPool.builder("thumbnails").workers(1).queueCapacity(1).build()) {
            WorkerPoolMeters.of(workers).bindTo(registry);
            assertThat(workers.submit(() -> "done").get(10, TimeUnit.SECONDS)).isEqualTo("done");
            return registry.scrape();
        }
    }

    @Test
    void promtoolRejectsACounterWithoutTotalSoPassingItMeansSomething() throws Exception {
        PromtoolResult result = promtoolCheck("# HELP foo_requests Calls\n# TYPE foo_requests counter\nfoo_requests 1\n", "flawed");
        assertThat(result.exitCode()).isNotZero();
        assertThat(result.report()).contains("foo_requests counter metrics should have \"_total\" suffix");
    }

    private void assertPromtoolAccepts(String scrape, String label) throws Exception {
        PromtoolResult result = promtoolCheck(scrape, label);
        assertThat(result.exitCode())
                .as("promtool check metrics said:%n%s%nscrape:%n%s", result.report(), scrape)
                .isZero();
        assertThat(result.report()).isBlank();
    }

    private record PromtoolResult(int exitCode, String report) {
    }

    /** Writes {@code text} to a file and runs {@code promtool check metrics} on it. */
    private PromtoolResult promtoolCheck(String text, String label) throws Exception {
        Path file = temp.resolve(label + ".prom");
        Files.writeString(file, text, StandardCharsets.UTF_8);
        Path output = temp.resolve(label + ".promtool.txt");
        Process promtool = new ProcessBuilder(promtool().toString(), "check", "metrics")
                .redirectInput(file.toFile()) // promtool reads the exposition text from standard input
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
        if (!promtool.waitFor(60, TimeUnit.SECONDS)) {
            promtool.destroyForcibly();
            fail("promtool check metrics did not finish within 60 s");
        }
        return new PromtoolResult(promtool.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
    }

    /** promtool on the PATH; its absence fails the test, since scripts/test installs it. */
    private static Path promtool() {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir.isEmpty() ? "." : dir, "promtool");
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return fail("promtool is not on the PATH (%s). scripts/test installs it from Debian's prometheus package;"
                + " by hand: apt-get install --no-install-recommends prometheus", System.getenv("PATH"));
    }
}
