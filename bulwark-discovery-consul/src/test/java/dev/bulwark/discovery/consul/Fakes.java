package dev.bulwark.discovery.consul;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bulwark.discovery.RegistryConfig;
import dev.bulwark.discovery.ServiceInstance;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;

/** Helpers for the tests against {@link FakeConsul}: configs pointing at it, and raw HTTP to it. */
final class Fakes {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private Fakes() {
    }

    /** A config for {@code fake}: short timeouts, a 10 s watch wait. */
    static RegistryConfig.Builder config(FakeConsul fake) {
        return RegistryConfig.builder(RegistryConfig.CONSUL)
                .endpoints(fake.address())
                .connectTimeout(Duration.ofSeconds(2))
                .sessionTimeout(Duration.ofSeconds(15))
                .option(ConsulSettings.READ_TIMEOUT, "5s")
                .option(ConsulSettings.WATCH_WAIT, "10s");
    }

    static String uniqueService() {
        return "svc-" + UUID.randomUUID().toString().substring(0, 8);
    }

    static ServiceInstance instance(String service, int port) {
        return ServiceInstance.builder(service, "127.0.0.1", port)
                .version("1.0.0").protocol("grpc").zone("zone-a").weight(2)
                .metadata("commit", "abc123").tag("blue")
                .registeredAt(Instant.now().truncatedTo(ChronoUnit.MILLIS))
                .build();
    }

    /** A raw request to the fake; returns the status and body. */
    static HttpResponse<String> send(FakeConsul fake, String method, String pathAndQuery, String body, String token) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(fake.address() + pathAndQuery))
                .timeout(Duration.ofSeconds(20))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            request.header("X-Consul-Token", token);
        }
        try {
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The health endpoint's JSON for {@code service}, as Consul would send it. */
    static JsonNode health(FakeConsul fake, String service) {
        try {
            return JSON.readTree(send(fake, "GET", "/v1/health/service/" + service, null, null).body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
