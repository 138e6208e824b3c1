package dev.bulwark.config;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.bulwark.InvalidConfigException;
import dev.bulwark.breaker.CircuitBreaker;
import dev.bulwark.breaker.CircuitBreakerMetrics;
import dev.bulwark.bulkhead.Bulkhead;
import dev.bulwark.discovery.CacheStats;
import dev.bulwark.discovery.DiscoveryCache;
import dev.bulwark.discovery.ServiceInstance;
import dev.bulwark.internal.Check;
import dev.bulwark.ratelimit.TokenBucket;
import dev.bulwark.retry.Retry;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The dashboard's status endpoint: {@code GET {path}/status} answers a JSON snapshot of a
 * {@link ConfiguredRuntime}: every breaker (state, counts, time to its next probe), retry, token
 * bucket and bulkhead by name, each with what the config center gave it (revision, key, last
 * refused document), and every service discovery follows (instances, serving ones, data age,
 * whether it is degraded and why). It is what a live dashboard page, a probe or an operator's
 * {@code curl} reads; the page itself is not built yet.
 *
 * <pre>{@code
 * ConfiguredRuntime runtime = ConfiguredRuntime.start(config);
 * Optional<DashboardServer> dashboard = DashboardServer.start(runtime);   // when dashboard.enabled
 * dashboard.ifPresent(d -> System.out.println("status at " + d.statusUri()));
 * }</pre>
 *
 * Configured by the {@code dashboard} section ({@code enabled}, {@code bind}, {@code port},
 * {@code path}); it listens on loopback unless told otherwise, answers only GET and HEAD, and
 * shows no secret (no setting of the configuration, only the policies' own figures).
 */
public final class DashboardServer implements AutoCloseable {
    static final Pattern PATH = Pattern.compile("(/[A-Za-z0-9._~-]+)+");
    static final String PATH_ALLOWED = "a path such as /bulwark: '/' then letters, digits, '.', '_', '~' or '-', no '/' at the end";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ConfiguredRuntime runtime;
    private final HttpServer server;
    private final ExecutorService handlers;
    private final String path;

    private DashboardServer(ConfiguredRuntime runtime, HttpServer server, ExecutorService handlers, String path) {
        this.runtime = runtime;
        this.server = server;
        this.handlers = handlers;
        this.path = path;
    }

    /** The endpoint the runtime's {@code dashboard} section describes, started; empty when it is not enabled. */
    public static Optional<DashboardServer> start(ConfiguredRuntime runtime) {
        Check.notNull("runtime", runtime);
        BulwarkConfig config = runtime.config();
        if (!config.get(List.of("dashboard", "enabled"), Boolean.class).orElse(false)) {
            return Optional.empty();
        }
        return Optional.of(start(runtime, new InetSocketAddress(config.get(List.of("dashboard", "bind"), String.class).orElseThrow(),
                config.get(List.of("dashboard", "port"), Integer.class).orElseThrow()),
                config.get(List.of("dashboard", "path"), String.class).orElseThrow()));
    }

    /** The endpoint at {@code address} (port 0: a free one), under {@code path} ({@code /bulwark}), started. */
    public static DashboardServer start(ConfiguredRuntime runtime, InetSocketAddress address, String path) {
        Check.notNull("runtime", runtime);
        Check.notNull("address", address);
        if (path == null || !PATH.matcher(path).matches()) {
            throw new InvalidConfigException("path", path, PATH_ALLOWED);
        }
        HttpServer server;
        try {
            server = HttpServer.create(address, 0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + address + " for the dashboard", e);
        }
        ExecutorService handlers = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "bulwark-dashboard");
            t.setDaemon(true);
            return t;
        });
        DashboardServer dashboard = new DashboardServer(runtime, server, handlers, path);
        server.createContext(path + "/status", dashboard::status);
        server.setExecutor(handlers);
        server.start();
        return dashboard;
    }

    /** Where the status is served: {@code http://127.0.0.1:9464/bulwark/status}. */
    public URI statusUri() {
        InetSocketAddress at = server.getAddress();
        String host = at.getAddress().isAnyLocalAddress() ? "127.0.0.1" : at.getAddress().getHostAddress();
        return URI.create("http://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + at.getPort() + path + "/status");
    }

    @Override
    public void close() {
        server.stop(0);
        handlers.shutdown();
        try {
            handlers.awaitTermination(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void status(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            if (!exchange.getRequestURI().getPath().equals(path + "/status")) {
                exchange.sendResponseHeaders(404, -1);
                return;
            }
            byte[] body = JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(snapshot());
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.getResponseHeaders().set("Cache-Control", "no-store");
            exchange.sendResponseHeaders(200, method.equals("HEAD") ? -1 : body.length);
            if (method.equals("GET")) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        }
    }

    /** The runtime now, as maps and lists that JSON writes as they are. */
    Map<String, Object> snapshot() {
        Map<String, Map<String, PolicyStatus>> fromCenter = new TreeMap<>();
        long refusals = 0;
        for (LivePolicies live : runtime.livePolicies()) {
            fromCenter.put(live.kind(), live.statuses());
            refusals += live.refusals();
        }
        Map<String, Object> out = new LinkedHashMap<>();
        Map<String, Object> breakers = new TreeMap<>();
        runtime.breakers().instances().forEach((name, breaker) -> breakers.put(name, breaker(breaker, fromCenter, name)));
        out.put("breakers", breakers);
        Map<String, Object> retries = new TreeMap<>();
        runtime.retries().instances().forEach((name, retry) -> retries.put(name, retry(retry, fromCenter, name)));
        out.put("retries", retries);
        Map<String, Object> limiters = new TreeMap<>();
        runtime.limiters().ifPresent(r -> r.instances().forEach((name, bucket) -> limiters.put(name, limiter(bucket, fromCenter, name))));
        out.put("limiters", limiters);
        Map<String, Object> bulkheads = new TreeMap<>();
        runtime.bulkheads().instances().forEach((name, bulkhead) -> bulkheads.put(name, bulkhead(bulkhead, fromCenter, name)));
        out.put("bulkheads", bulkheads);
        Map<String, Object> discovery = new TreeMap<>();
        for (String service : runtime.discovery().services()) {
            discovery.put(service, service(runtime.discovery().cache(service)));
        }
        out.put("discovery", discovery);
        Map<String, Object> center = new LinkedHashMap<>();
        center.put("type", runtime.config().get(List.of("config-center", "type"), String.class).orElse("none"));
        center.put("refusals", refusals);
        out.put("configCenter", center);
        return out;
    }

    private static Map<String, Object> breaker(CircuitBreaker breaker, Map<String, Map<String, PolicyStatus>> center, String name) {
        CircuitBreakerMetrics m = breaker.metrics();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("state", m.state().name());
        out.put("calls", m.calls());
        out.put("failures", m.failures());
        out.put("slowCalls", m.slowCalls());
        out.put("timeouts", m.timeouts());
        out.put("consecutiveFailures", m.consecutiveFailures());
        out.put("rejected", m.rejectedCalls());
        out.put("msUntilProbe", TimeUnit.NANOSECONDS.toMillis(m.nanosUntilProbe()));
        out.put("policy", breaker.config().toString());
        putCenter(out, center, "breakers", name);
        return out;
    }

    private static Map<String, Object> retry(Retry retry, Map<String, Map<String, PolicyStatus>> center, String name) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("maxAttempts", retry.maxAttempts());
        putCenter(out, center, "retries", name);
        return out;
    }

    private static Map<String, Object> limiter(TokenBucket bucket, Map<String, Map<String, PolicyStatus>> center, String name) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("permitsPerSecond", bucket.permitsPerSecond());
        out.put("burst", bucket.burst());
        out.put("available", bucket.availablePermits());
        putCenter(out, center, "limiters", name);
        return out;
    }

    private static Map<String, Object> bulkhead(Bulkhead bulkhead, Map<String, Map<String, PolicyStatus>> center, String name) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("maxConcurrent", bulkhead.config().maxConcurrent());
        out.put("inFlight", bulkhead.inFlight());
        putCenter(out, center, "bulkheads", name);
        return out;
    }

    private static Map<String, Object> service(DiscoveryCache cache) {
        CacheStats stats = cache.stats();
        List<ServiceInstance> instances = cache.instances();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("instances", instances.size());
        out.put("serving", instances.stream().filter(i -> i.health().isServing()).count());
        out.put("degraded", stats.degraded());
        out.put("dataAgeMs", TimeUnit.NANOSECONDS.toMillis(stats.dataAgeNanos()));
        out.put("lastError", stats.lastError());
        return out;
    }

    /** What the config center gave {@code name}: the revision and key in force, the last document refused. */
    private static void putCenter(Map<String, Object> out, Map<String, Map<String, PolicyStatus>> center, String kind, String name) {
        PolicyStatus status = center.getOrDefault(kind, Map.of()).get(name);
        if (status != null) {
            Map<String, Object> fromCenter = new LinkedHashMap<>();
            fromCenter.put("revision", status.revision());
            fromCenter.put("key", status.key());
            fromCenter.put("lastError", status.lastError().orElse(null));
            out.put("fromCenter", fromCenter);
        }
    }
}
