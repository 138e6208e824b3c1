package dev.bulwark.config;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Consul's key-value HTTP API as far as a policy source uses it, on a loopback port: {@code PUT} and
 * {@code DELETE /v1/kv/<key>}, and {@code GET /v1/kv/<prefix>?recurse} with blocking queries
 * ({@code index}, {@code wait}), {@code X-Consul-Index} and a 404 for no keys. One index moves on
 * every write, as a single Consul server's Raft index does. No real Consul runs on this machine;
 * {@code ConsulLivePoliciesTest} also runs against one when {@code CONSUL_HTTP_ADDR} is set.
 */
final class FakeConsulKv implements AutoCloseable {
    private final Map<String, long[]> indexes = new TreeMap<>(); // key -> {create, modify}
    private final Map<String, byte[]> values = new HashMap<>();
    private long index = 1;
    private final ExecutorService handlers = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "fake-consul-kv");
        t.setDaemon(true);
        return t;
    });
    private HttpServer server;
    private int port;

    static FakeConsulKv start() {
        FakeConsulKv fake = new FakeConsulKv();
        fake.listen(0);
        return fake;
    }

    URI address() {
        return URI.create("http://127.0.0.1:" + port);
    }

    synchronized void put(String key, String value) {
        index++;
        long[] at = indexes.computeIfAbsent(key, k -> new long[] {index, index});
        at[1] = index;
        values.put(key, value.getBytes(StandardCharsets.UTF_8));
        notifyAll();
    }

    synchronized void delete(String key) {
        if (indexes.remove(key) != null) {
            values.remove(key);
            index++;
            notifyAll();
        }
    }

    /** Takes the HTTP side down, keeping the data (a Consul agent restarting). */
    synchronized void stop() {
        server.stop(0);
        notifyAll();
    }

    /** Brings the HTTP side back on the same port. */
    void restart() {
        listen(port);
    }

    @Override
    public void close() {
        stop();
        handlers.shutdownNow();
    }

    private void listen(int wanted) {
        try {
            HttpServer created = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), wanted), 16);
            created.setExecutor(handlers);
            created.createContext("/v1/kv/", this::handle);
            created.start();
            synchronized (this) {
                server = created;
                port = created.getAddress().getPort();
            }
        } catch (IOException e) {
            throw new IllegalStateException("the fake Consul cannot listen on port " + wanted, e);
        }
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String key = URLDecoder.decode(exchange.getRequestURI().getRawPath().substring("/v1/kv/".length()), StandardCharsets.UTF_8);
            Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
            switch (exchange.getRequestMethod()) {
                case "PUT" -> {
                    put(key, new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
                    send(exchange, 200, "true", currentIndex());
                }
                case "DELETE" -> {
                    delete(key);
                    send(exchange, 200, "true", currentIndex());
                }
                case "GET" -> read(exchange, key, query);
                default -> send(exchange, 405, "method not allowed", currentIndex());
            }
        }
    }

    private synchronized long currentIndex() {
        return index;
    }

    private void read(HttpExchange exchange, String prefix, Map<String, String> query) throws IOException {
        StringBuilder body = new StringBuilder("[");
        long answerIndex;
        synchronized (this) {
            long after = Long.parseLong(query.getOrDefault("index", "0"));
            long waitMs = Math.min(5_000, 1000 * Long.parseLong(query.getOrDefault("wait", "5s").replace("s", "")));
            long until = System.currentTimeMillis() + waitMs;
            while (after > 0 && index <= after && System.currentTimeMillis() < until) {
                try {
                    wait(Math.max(1, until - System.currentTimeMillis()));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            answerIndex = index;
            for (Map.Entry<String, long[]> e : indexes.entrySet()) {
                if (e.getKey().startsWith(prefix)) {
                    body.append(body.length() > 1 ? "," : "").append("{\"Key\":\"").append(e.getKey())
                            .append("\",\"CreateIndex\":").append(e.getValue()[0]).append(",\"ModifyIndex\":").append(e.getValue()[1])
                            .append(",\"LockIndex\":0,\"Flags\":0,\"Value\":\"")
                            .append(Base64.getEncoder().encodeToString(values.get(e.getKey()))).append("\"}");
                }
            }
        }
        if (body.length() == 1) {
            send(exchange, 404, "", answerIndex);
        } else {
            send(exchange, 200, body.append(']').toString(), answerIndex);
        }
    }

    private static void send(HttpExchange exchange, int status, String text, long index) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("X-Consul-Index", String.valueOf(index));
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> query = new HashMap<>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                query.put(eq < 0 ? pair : pair.substring(0, eq), eq < 0 ? "" : pair.substring(eq + 1));
            }
        }
        return query;
    }
}
