package dev.bulwark.http.test;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.bulwark.discovery.ServiceInstance;
import dev.bulwark.discovery.ServiceRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import javax.net.ssl.SSLContext;

/**
 * A real HTTP server on loopback (the JDK's), for tests, the demo and the benchmarks. Paths:
 * <ul>
 * <li>{@code /echo} answers 200 with JSON naming the server, the method, the path, the body and the
 *     {@code x-} headers;
 * <li>{@code /status/<code>?retryAfter=<value>} answers that status (and header);
 * <li>{@code /slow?ms=<n>} answers after n ms;
 * <li>{@code /bad-json} answers 200 with a body that is not JSON;
 * <li>{@code /big?bytes=<n>} answers n bytes;
 * <li>{@code /redirect} answers 302 to {@code /echo};
 * <li>{@code /trickle?ms=<n>} sends its headers at once and its body a byte every 10 ms for n ms.
 * </ul>
 * Every call is counted by method and path; {@link #failAll} and {@link #slow} change every
 * answer live.
 */
public final class TestHttpServer implements AutoCloseable {
    static {
        // The JDK server writes headers and body separately; without TCP_NODELAY, Nagle's algorithm
        // and the client's delayed ACK hold every answer ~40 ms. Read once, when the server starts.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private final String name;
    private final HttpServer server;
    private final ExecutorService executor;
    private final AtomicInteger calls = new AtomicInteger();
    private final Map<String, LongAdder> byRoute = new ConcurrentHashMap<>();
    private final AtomicReference<Integer> failAll = new AtomicReference<>();
    private final AtomicReference<Duration> slow = new AtomicReference<>(Duration.ZERO);

    private TestHttpServer(String name, HttpServer server) {
        this.name = name;
        this.server = server;
        this.executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "test-http-" + name);
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** A plain HTTP server named {@code name} on a free loopback port. */
    public static TestHttpServer start(String name) {
        try {
            return new TestHttpServer(name, HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** An HTTPS server named {@code name} on a free loopback port, with {@code tls}. */
    public static TestHttpServer startTls(String name, SSLContext tls) {
        try {
            HttpsServer https = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            https.setHttpsConfigurator(new HttpsConfigurator(tls));
            return new TestHttpServer(name, https);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String name() {
        return name;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** {@code 127.0.0.1:port}. */
    public String address() {
        return "127.0.0.1:" + port();
    }

    /** Registers this server as an instance of {@code service} (protocol http, or https for a TLS server). */
    public ServiceInstance register(ServiceRegistry registry, String service) {
        ServiceInstance instance = ServiceInstance.builder(service, "127.0.0.1", port()).id(name)
                .protocol(server instanceof HttpsServer ? "https" : "http").build();
        registry.register(instance);
        return instance;
    }

    /** Calls received. */
    public int calls() {
        return calls.get();
    }

    /** Calls received for {@code method} and the path's first segment, e.g. {@code POST /echo}. */
    public long calls(String method, String route) {
        LongAdder n = byRoute.get(method + " " + route);
        return n == null ? 0 : n.sum();
    }

    /** Every answer from now on has this status ({@code null}: answer normally again). */
    public TestHttpServer failAll(Integer status) {
        failAll.set(status);
        return this;
    }

    /** Every answer from now on comes this much later. */
    public TestHttpServer slow(Duration delay) {
        slow.set(delay);
        return this;
    }

    /** Stops at once, closing connections: what a crash looks like to callers (registration stays). */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        calls.incrementAndGet();
        URI uri = exchange.getRequestURI();
        String path = uri.getPath();
        String route = "/" + (path.length() > 1 ? path.substring(1).split("/")[0] : "");
        byRoute.computeIfAbsent(exchange.getRequestMethod() + " " + route, k -> new LongAdder()).increment();
        Map<String, String> query = query(uri.getRawQuery());
        byte[] requestBody = exchange.getRequestBody().readAllBytes();
        try {
            pause(slow.get().toMillis());
            Integer failing = failAll.get();
            if (failing != null) {
                send(exchange, failing, "text/plain", (name + " fails every call with " + failing).getBytes(StandardCharsets.UTF_8));
                return;
            }
            switch (route) {
                case "/echo" -> send(exchange, 200, "application/json", echo(exchange, requestBody));
                case "/status" -> {
                    int code = Integer.parseInt(path.substring("/status/".length()));
                    if (query.containsKey("retryAfter")) {
                        exchange.getResponseHeaders().set("Retry-After", query.get("retryAfter"));
                    }
                    send(exchange, code, "text/plain", ("status " + code + " from " + name).getBytes(StandardCharsets.UTF_8));
                }
                case "/slow" -> {
                    pause(Long.parseLong(query.getOrDefault("ms", "100")));
                    send(exchange, 200, "application/json", echo(exchange, requestBody));
                }
                case "/bad-json" -> send(exchange, 200, "application/json", "{\"server\": \"half".getBytes(StandardCharsets.UTF_8));
                case "/big" -> send(exchange, 200, "application/octet-stream", new byte[Integer.parseInt(query.get("bytes"))]);
                case "/redirect" -> {
                    exchange.getResponseHeaders().set("Location", "/echo");
                    exchange.sendResponseHeaders(302, -1);
                    exchange.close();
                }
                case "/trickle" -> trickle(exchange, Long.parseLong(query.getOrDefault("ms", "1000")));
                default -> send(exchange, 404, "text/plain", ("no " + path + " on " + name).getBytes(StandardCharsets.UTF_8));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            exchange.close();
        } catch (IOException e) {
            exchange.close(); // the caller went away
        }
    }

    private byte[] echo(HttpExchange exchange, byte[] body) {
        StringBuilder json = new StringBuilder("{\"server\":\"").append(name).append("\",\"method\":\"")
                .append(exchange.getRequestMethod()).append("\",\"path\":\"").append(escape(exchange.getRequestURI().toString()))
                .append("\",\"body\":\"").append(escape(new String(body, StandardCharsets.UTF_8))).append("\",\"headers\":{");
        boolean first = true;
        for (Map.Entry<String, java.util.List<String>> h : exchange.getRequestHeaders().entrySet()) {
            if (h.getKey().toLowerCase(java.util.Locale.ROOT).startsWith("x-")) {
                json.append(first ? "" : ",").append('"').append(h.getKey().toLowerCase(java.util.Locale.ROOT)).append("\":\"")
                        .append(escape(String.join(",", h.getValue()))).append('"');
                first = false;
            }
        }
        return json.append("}}").toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    private static void send(HttpExchange exchange, int status, String type, byte[] body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", type);
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    private static void trickle(HttpExchange exchange, long millis) throws IOException, InterruptedException {
        exchange.sendResponseHeaders(200, 0); // chunked
        try (OutputStream out = exchange.getResponseBody()) {
            long end = System.nanoTime() + millis * 1_000_000L;
            while (System.nanoTime() < end) {
                out.write('.');
                out.flush();
                Thread.sleep(10);
            }
        }
    }

    private static void pause(long millis) throws InterruptedException {
        if (millis > 0) {
            Thread.sleep(millis);
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> q = new HashMap<>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    q.put(pair.substring(0, eq), pair.substring(eq + 1));
                }
            }
        }
        return q;
    }

    @Override
    public String toString() {
        return name + "@" + address();
    }
}
