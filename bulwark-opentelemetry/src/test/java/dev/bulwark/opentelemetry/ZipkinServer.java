package dev.bulwark.opentelemetry;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real Zipkin server for tests: its exec jar (fetched into {@code target/zipkin} by the build,
 * from Maven Central) run on this JVM's java, on a free loopback port, with in-memory storage.
 * Without the jar the tests fail rather than skip: {@code mvn verify} fetches it.
 */
final class ZipkinServer implements BeforeAllCallback, AfterAllCallback {
    private final HttpClient http = HttpClient.newHttpClient();
    private Process process;
    private int port;

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        Path jar = Path.of("target", "zipkin", "zipkin-server.jar");
        if (!Files.exists(jar)) {
            throw new IllegalStateException(jar.toAbsolutePath() + " is missing: run the tests with mvn (it fetches Zipkin)");
        }
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        String java = ProcessHandle.current().info().command().orElse("java");
        Path log = Path.of("target", "zipkin", "zipkin-" + port + ".log");
        process = new ProcessBuilder(java, "-Xmx256m", "-jar", jar.toString(), "--server.port=" + port,
                "--server.address=127.0.0.1", "--logging.level.root=WARN")
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(250)).ignoreExceptions()
                .until(() -> get("/health").contains("UP"));
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (process != null) {
            process.destroy();
        }
    }

    /** Where spans are posted. */
    URI spansEndpoint() {
        return URI.create("http://127.0.0.1:" + port + "/api/v2/spans");
    }

    /** A GET of Zipkin's API, its body. */
    String get(String path) {
        try {
            HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 ? response.body() : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }
}
