package dev.bulwark.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.bulwark.http.server.RateLimitFilter;
import dev.bulwark.ratelimit.KeyedRateLimiter;
import dev.bulwark.ratelimit.TokenBucket;
import dev.bulwark.testing.VirtualScheduler;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The per-key rate-limit filter on a real JDK HTTP server: over its key's limit a request is
 * answered 429 with Retry-After and never reaches the handler; other keys are untouched; without
 * the header, the caller's address is the key. Time is virtual: no waiting.
 */
class RateLimitFilterTest {

    @Test
    void eachKeyHasItsOwnLimitAndTheRejectedAreTold() throws Exception {
        VirtualScheduler clock = new VirtualScheduler();
        KeyedRateLimiter<String> perUser = KeyedRateLimiter.<String>builder("api-per-user")
                .limiter(user -> TokenBucket.builder("user").permitsPerSecond(1).burst(2).scheduler(clock).build())
                .maxKeys(1000).build();
        RateLimitFilter filter = RateLimitFilter.perKey(perUser).build();
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        java.util.concurrent.atomic.AtomicInteger handled = new java.util.concurrent.atomic.AtomicInteger();
        server.createContext("/api", exchange -> {
            handled.incrementAndGet();
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        }).getFilters().add(filter);
        server.start();
        HttpClient http = HttpClient.newHttpClient();
        try {
            assertThat(status(http, server, "ada")).isEqualTo(204);
            assertThat(status(http, server, "ada")).isEqualTo(204);
            HttpResponse<String> limited = send(http, server, "ada");
            assertThat(limited.statusCode()).isEqualTo(429);
            assertThat(limited.headers().firstValue("Retry-After")).contains("1");
            assertThat(limited.body()).contains("rate limit").contains("user");
            assertThat(status(http, server, "bob")).as("another key is untouched").isEqualTo(204);
            clock.advance(Duration.ofSeconds(1));
            assertThat(status(http, server, "ada")).as("a second later").isEqualTo(204);

            assertThat(status(http, server, null)).as("keyed by address").isEqualTo(204);
            assertThat(status(http, server, null)).isEqualTo(204);
            assertThat(status(http, server, null)).isEqualTo(429);

            assertThat(handled).hasValue(6);
            assertThat(filter.allowed()).isEqualTo(6);
            assertThat(filter.rejected()).isEqualTo(2);
        } finally {
            server.stop(0);
        }
    }

    private static int status(HttpClient http, HttpServer server, String user) throws Exception {
        return send(http, server, user).statusCode();
    }

    private static HttpResponse<String> send(HttpClient http, HttpServer server, String user) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/api"));
        if (user != null) {
            request.header("X-User-ID", user);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
