package dev.bulwark.discovery.health;

import dev.bulwark.internal.Check;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** The built-in active health checks. */
public final class HealthChecks {
    private HealthChecks() {
    }

    /**
     * GETs {@code path} on the instance ({@code http://host:port/path}, or https when the
     * instance's protocol is https); healthy if the answer is 2xx within {@code timeout}.
     */
    public static HealthCheck http(String path, Duration timeout) {
        Check.notNull("path", path);
        if (!path.startsWith("/")) {
            throw new dev.bulwark.InvalidConfigException("path", path, "a path starting with '/'");
        }
        Duration limit = Check.positive("timeout", timeout);
        HttpClient client = HttpClient.newBuilder().connectTimeout(limit).build();
        return instance -> {
            String scheme = "https".equals(instance.protocol()) ? "https" : "http";
            HttpRequest request = HttpRequest.newBuilder(URI.create(scheme + "://" + instance.address() + path))
                    .timeout(limit).GET().build();
            HttpResponse<Void> response = client.send(request, HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() / 100 != 2) {
                throw new IOException("GET " + path + " answered " + response.statusCode());
            }
        };
    }

    /** Opens a TCP connection to the instance; healthy if it connects within {@code timeout}. */
    public static HealthCheck tcp(Duration timeout) {
        int millis = (int) Math.max(1, Math.min(Integer.MAX_VALUE, Check.positive("timeout", timeout).toMillis()));
        return instance -> {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(instance.host(), instance.port()), millis);
            }
        };
    }
}
