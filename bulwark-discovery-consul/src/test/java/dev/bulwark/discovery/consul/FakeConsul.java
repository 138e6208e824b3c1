package dev.bulwark.discovery.consul;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.bulwark.time.Scheduler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;

/**
 * A TEST FAKE of the Consul HTTP API: no Consul server can be installed on this machine (Debian
 * no longer ships one, and embedded launchers download binaries), so the tests run
 * {@link ConsulRegistry} against this, in process, on {@code 127.0.0.1} and a free port. It
 * follows Consul's documented semantics for exactly the endpoints consul-client calls for
 * Bulwark, and nothing else; every test that uses it says "Fake" in its name.
 *
 * <ul>
 *   <li>{@code PUT /v1/agent/service/register}: JSON keys matched case-insensitively (as Consul's
 *       decoder does; consul-client sends {@code "Id"}); {@code Name} required, {@code ID} defaulting
 *       to it; {@code Meta} validated as Consul does (keys of letters, digits, {@code -} and
 *       {@code _}, at most 128 characters, no {@code consul-} prefix, values up to 512 bytes, at most
 *       64 pairs); {@code Weights}; {@code Check} and {@code Checks} with {@code TTL}, {@code Status}
 *       (a new check starts critical unless given one), {@code DeregisterCriticalServiceAfter};
 *       check ids {@code service:<id>} (or {@code service:<id>:<n>} in {@code Checks}).</li>
 *   <li>{@code PUT /v1/agent/service/deregister/<id>}: 404 "Unknown service ID" if absent.</li>
 *   <li>{@code PUT /v1/agent/check/pass|warn|fail/<checkId>} ({@code ?note=} the output): 404
 *       "Unknown check ID" if absent.</li>
 *   <li>{@code GET /v1/health/service/<name>}: every instance with its node and checks (or only
 *       passing ones with {@code ?passing}), {@code X-Consul-Index}, blocking with
 *       {@code ?index=&wait=} (default wait 5m, at most 10m); {@code ?dc=} other than
 *       {@value FakeCatalog#DATACENTER} answers 500 "No path to datacenter".</li>
 *   <li>{@code GET /v1/catalog/services}: service names and their tags.</li>
 *   <li>ACLs, when made with a token ({@link #withToken}): the token comes from
 *       {@code X-Consul-Token}, {@code Authorization: Bearer} or {@code ?token=}; an unknown token is
 *       refused on every endpoint (403 "ACL not found"); no token means the anonymous token under a
 *       deny-by-default policy: writes answer 403 "Permission denied", reads answer as if nothing
 *       were registered, with {@code X-Consul-Results-Filtered-By-ACLs: true}.</li>
 * </ul>
 *
 * TTLs and the reaping of critical services run on the fake's {@link Scheduler} (see
 * {@link FakeCatalog}); {@link #stop()} and {@link #restart()} take the HTTP side down and up again
 * on the same port, keeping the state; {@link #forgetEverything()} is a Consul restarted without
 * its data.
 */
final class FakeConsul implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern META_KEY = Pattern.compile("[a-zA-Z0-9_-]+");
    private static final Duration DEFAULT_WAIT = Duration.ofMinutes(5);
    private static final Duration MAX_WAIT = Duration.ofMinutes(10);
    private static final AtomicInteger SERVERS = new AtomicInteger();

    private final FakeCatalog catalog;
    private final String token;
    private final SSLContext tls;
    private final Map<String, LongAdder> requests = new ConcurrentHashMap<>();
    private volatile int port;
    private HttpServer server;
    private ExecutorService handlers;

    private FakeConsul(Scheduler scheduler, String token, SSLContext tls) {
        this.catalog = new FakeCatalog(scheduler);
        this.token = token;
        this.tls = tls;
    }

    /** A fake without ACLs, timing TTLs on {@code scheduler}, listening on a free loopback port. */
    static FakeConsul start(Scheduler scheduler) {
        return withToken(scheduler, null);
    }

    /** A fake whose ACLs deny by default and allow everything to {@code token}. */
    static FakeConsul withToken(Scheduler scheduler, String token) {
        FakeConsul fake = new FakeConsul(scheduler, token, null);
        fake.listen(0);
        return fake;
    }

    /** A fake without ACLs answering HTTPS only, with the server certificate in {@code tls}. */
    static FakeConsul withTls(Scheduler scheduler, SSLContext tls) {
        FakeConsul fake = new FakeConsul(scheduler, null, tls);
        fake.listen(0);
        return fake;
    }

    /** {@code http://127.0.0.1:<port>}, or {@code https://} for a TLS fake. */
    String address() {
        return (tls == null ? "http" : "https") + "://" + FakeCatalog.ADDRESS + ":" + port;
    }

    int port() {
        return port;
    }

    /** Takes the HTTP side down: open connections are closed, blocking queries end. The state stays. */
    synchronized void stop() {
        catalog.stopped(true);
        if (server != null) {
            server.stop(0);
            handlers.shutdownNow();
            server = null;
        }
    }

    /** Listens again on the same port. */
    synchronized void restart() {
        catalog.stopped(false);
        listen(port);
    }

    /** Forgets every registration and starts the index over, as a Consul in dev mode restarted. */
    void forgetEverything() {
        catalog.forgetEverything();
    }

    /** A check's status, if it exists. */
    Optional<String> checkStatus(String checkId) {
        return catalog.checkStatus(checkId);
    }

    /** Whether a service with {@code serviceId} is registered (whatever its checks say). */
    boolean hasService(String serviceId) {
        return catalog.serviceName(serviceId).isPresent();
    }

    /** How many blocking queries are waiting for a change now. */
    int blockedQueries() {
        return catalog.blockedQueries();
    }

    /** The current index (moves on every change). */
    long index() {
        return catalog.index();
    }

    /** How many requests came for {@code method} and {@code path} (without query), e.g. {@code "GET /v1/health/service/x"}. */
    long requests(String methodAndPath) {
        LongAdder n = requests.get(methodAndPath);
        return n == null ? 0 : n.sum();
    }

    @Override
    public synchronized void close() {
        stop();
        catalog.close();
    }

    private void listen(int wanted) {
        HttpServer created = null;
        for (int attempt = 0; created == null; attempt++) {
            try {
                InetSocketAddress address = new InetSocketAddress(InetAddress.getByName(FakeCatalog.ADDRESS), wanted);
                if (tls == null) {
                    created = HttpServer.create(address, 64);
                } else {
                    HttpsServer https = HttpsServer.create(address, 64);
                    https.setHttpsConfigurator(new HttpsConfigurator(tls));
                    created = https;
                }
            } catch (BindException e) {
                if (wanted == 0 || attempt >= 50) {
                    throw new UncheckedIOException("fake Consul cannot listen on port " + wanted, e);
                }
                Thread.onSpinWait(); // the old socket is still closing; try again at once
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        int n = SERVERS.incrementAndGet();
        AtomicInteger threads = new AtomicInteger();
        handlers = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fake-consul-" + n + "-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        created.setExecutor(handlers);
        created.createContext("/", this::handle);
        created.start();
        server = created;
        port = created.getAddress().getPort();
    }

    private void handle(HttpExchange exchange) {
        try {
            String method = exchange.getRequestMethod();
            String path = exchange.getRequestURI().getRawPath();
            requests.computeIfAbsent(method + " " + decode(path), k -> new LongAdder()).increment();
            Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
            Reply reply;
            try {
                reply = route(method, path, query, exchange);
            } catch (HttpError e) {
                reply = Reply.text(e.status, e.getMessage());
            }
            reply.send(exchange);
        } catch (IOException | RuntimeException e) {
            // The client went away (or the fake is stopping): nothing to answer.
        } finally {
            exchange.close();
        }
    }

    private Reply route(String method, String path, Map<String, String> query, HttpExchange exchange) throws IOException {
        Access access = access(exchange, query);
        if (path.equals("/v1/agent/service/register")) {
            requireMethod(method, "PUT");
            return register(exchange.getRequestBody(), access);
        }
        if (path.startsWith("/v1/agent/service/deregister/")) {
            requireMethod(method, "PUT");
            return deregister(decode(path.substring("/v1/agent/service/deregister/".length())), access);
        }
        for (String state : List.of("pass", "warn", "fail")) {
            String prefix = "/v1/agent/check/" + state + "/";
            if (path.startsWith(prefix)) {
                requireMethod(method, "PUT");
                String status = state.equals("pass") ? Entries.PASSING : state.equals("warn") ? Entries.WARNING : Entries.CRITICAL;
                return updateCheck(decode(path.substring(prefix.length())), status, query.getOrDefault("note", ""), access);
            }
        }
        if (path.startsWith("/v1/health/service/")) {
            requireMethod(method, "GET");
            datacenter(query);
            return health(decode(path.substring("/v1/health/service/".length())), query, access);
        }
        if (path.equals("/v1/catalog/services")) {
            requireMethod(method, "GET");
            datacenter(query);
            Map.Entry<Long, ObjectNode> services = catalog.catalogServices();
            ObjectNode body = access == Access.ANONYMOUS ? JSON.createObjectNode() : services.getValue();
            return Reply.json(services.getKey(), body, access == Access.ANONYMOUS);
        }
        throw new HttpError(404, "fake Consul: " + method + " " + path + " is not implemented by the test fake");
    }

    // --- endpoints ---

    private Reply register(InputStream body, Access access) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (IOException e) {
            throw new HttpError(400, "Request decode failed: " + e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new HttpError(400, "Request decode failed: not a JSON object");
        }
        String name = text(root, "Name", "");
        if (name.isEmpty()) {
            throw new HttpError(400, "Missing service name");
        }
        String id = text(root, "ID", name);
        Map<String, String> meta = meta(field(root, "Meta"));
        JsonNode weights = field(root, "Weights");
        int passing = weights == null || weights.isNull() ? 1 : integer(weights, "Passing", 1);
        int warning = weights == null || weights.isNull() ? 1 : integer(weights, "Warning", 1);
        if (passing < 1) {
            throw new HttpError(400, "Invalid Weights: Passing must be greater than 0");
        }
        List<FakeCatalog.CheckDefinition> checks = new ArrayList<>();
        JsonNode single = field(root, "Check");
        if (single != null && !single.isNull() && single.size() > 0) {
            checks.add(check(single, "service:" + id, name));
        }
        JsonNode list = field(root, "Checks");
        if (list != null && list.isArray()) {
            int n = 1;
            for (JsonNode c : list) {
                checks.add(check(c, "service:" + id + ":" + n++, name));
            }
        }
        List<String> tags = new ArrayList<>();
        JsonNode tagNode = field(root, "Tags");
        if (tagNode != null && tagNode.isArray()) {
            tagNode.forEach(t -> tags.add(t.asText()));
        }
        JsonNode port = field(root, "Port");
        FakeCatalog.Registration registration = new FakeCatalog.Registration(id, name, text(root, "Address", ""),
                port == null || port.isNull() ? 0 : port.asInt(), List.copyOf(tags), meta, passing, warning, List.copyOf(checks));
        if (access != Access.ALL) {
            throw denied(access, "service:write", name);
        }
        catalog.register(registration);
        return Reply.empty();
    }

    private Reply deregister(String serviceId, Access access) {
        Optional<String> name = catalog.serviceName(serviceId);
        if (name.isEmpty()) {
            throw new HttpError(404, "Unknown service ID \"" + serviceId + "\". Ensure that the service ID is passed, not the service name.");
        }
        if (access != Access.ALL) {
            throw denied(access, "service:write", name.get());
        }
        catalog.deregister(serviceId);
        return Reply.empty();
    }

    private Reply updateCheck(String checkId, String status, String note, Access access) {
        Optional<String> service = catalog.checkService(checkId);
        if (service.isEmpty()) {
            throw new HttpError(404, "Unknown check ID \"" + checkId + "\". Ensure that the check ID is passed, not the check name.");
        }
        if (access != Access.ALL) {
            throw denied(access, "service:write", service.get());
        }
        catalog.updateTtl(checkId, status, note);
        return Reply.empty();
    }

    private Reply health(String service, Map<String, String> query, Access access) {
        String index = query.get("index");
        if (index != null) {
            long after;
            try {
                after = Long.parseUnsignedLong(index);
            } catch (NumberFormatException e) {
                throw new HttpError(400, "Invalid index");
            }
            Duration wait = DEFAULT_WAIT;
            if (query.containsKey("wait")) {
                try {
                    wait = GoDuration.parse(query.get("wait"));
                } catch (IllegalArgumentException e) {
                    throw new HttpError(400, "Invalid wait time");
                }
            }
            if (wait.compareTo(MAX_WAIT) > 0) {
                wait = MAX_WAIT;
            }
            try {
                if (!catalog.awaitChange(service, after, wait)) {
                    throw new IllegalStateException("stopping"); // no answer: the connection just closes
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("stopping", e);
            }
        }
        boolean filtered = access == Access.ANONYMOUS;
        Map.Entry<Long, ArrayNode> answer = catalog.health(service, filtered);
        ArrayNode body = answer.getValue();
        if (query.containsKey("passing")) {
            ArrayNode passing = JSON.createArrayNode();
            for (JsonNode entry : body) {
                boolean allPass = true;
                for (JsonNode check : entry.get("Checks")) {
                    allPass &= check.get("Status").asText().equals(Entries.PASSING);
                }
                if (allPass) {
                    passing.add(entry);
                }
            }
            body = passing;
        }
        return Reply.json(answer.getKey(), body, filtered && catalog.hasInstances(service));
    }

    // --- ACLs ---

    private enum Access { ALL, ANONYMOUS }

    private Access access(HttpExchange exchange, Map<String, String> query) {
        if (token == null) {
            return Access.ALL;
        }
        String given = exchange.getRequestHeaders().getFirst("X-Consul-Token");
        String authorization = exchange.getRequestHeaders().getFirst("Authorization");
        if ((given == null || given.isEmpty()) && authorization != null && authorization.startsWith("Bearer ")) {
            given = authorization.substring("Bearer ".length()).trim();
        }
        if (given == null || given.isEmpty()) {
            given = query.getOrDefault("token", "");
        }
        if (given.isEmpty()) {
            return Access.ANONYMOUS;
        }
        if (given.equals(token)) {
            return Access.ALL;
        }
        throw new HttpError(403, "ACL not found");
    }

    private static HttpError denied(Access access, String permission, String resource) {
        return new HttpError(403, "Permission denied: " + (access == Access.ANONYMOUS ? "anonymous token" : "token")
                + " lacks permission '" + permission + "' on \"" + resource + "\"");
    }

    // --- parsing helpers ---

    private static void datacenter(Map<String, String> query) {
        String dc = query.get("dc");
        if (dc != null && !dc.isEmpty() && !dc.equals(FakeCatalog.DATACENTER)) {
            throw new HttpError(500, "No path to datacenter");
        }
    }

    private static void requireMethod(String method, String allowed) {
        if (!method.equals(allowed)) {
            throw new HttpError(405, "method " + method + " not allowed");
        }
    }

    private FakeCatalog.CheckDefinition check(JsonNode c, String defaultId, String serviceName) {
        if (present(c, "HTTP") || present(c, "TCP") || present(c, "GRPC") || present(c, "Args") || present(c, "ScriptArgs")) {
            throw new HttpError(400, "fake Consul: only TTL checks are implemented by the test fake");
        }
        String ttlText = text(c, "TTL", "");
        if (ttlText.isEmpty()) {
            throw new HttpError(400, "Invalid check: TTL must be > 0 for TTL checks");
        }
        Duration ttl = duration(ttlText, "TTL");
        if (ttl.isNegative() || ttl.isZero()) {
            throw new HttpError(400, "Invalid check: TTL must be > 0 for TTL checks");
        }
        String status = text(c, "Status", "");
        if (!status.isEmpty() && !List.of(Entries.PASSING, Entries.WARNING, Entries.CRITICAL).contains(status)) {
            throw new HttpError(400, "Status for checks must 'passing', 'warning', 'critical'");
        }
        String after = text(c, "DeregisterCriticalServiceAfter", "");
        return new FakeCatalog.CheckDefinition(text(c, "CheckID", defaultId), text(c, "Name", "Service '" + serviceName + "' check"),
                text(c, "Notes", ""), ttl, status.isEmpty() ? null : status,
                after.isEmpty() ? null : duration(after, "DeregisterCriticalServiceAfter"));
    }

    private static Duration duration(String text, String field) {
        try {
            return GoDuration.parse(text);
        } catch (IllegalArgumentException e) {
            throw new HttpError(400, "Request decode failed: " + field + ": " + e.getMessage());
        }
    }

    private static Map<String, String> meta(JsonNode node) {
        Map<String, String> meta = new TreeMap<>();
        if (node == null || node.isNull()) {
            return meta;
        }
        if (!node.isObject()) {
            throw new HttpError(400, "Request decode failed: Meta is not an object");
        }
        if (node.size() > 64) {
            throw new HttpError(400, "Invalid Service Meta: Node metadata cannot contain more than 64 key/value pairs");
        }
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            String key = e.getKey();
            String value = e.getValue().isNull() ? "" : e.getValue().asText();
            String problem = key.isEmpty() ? "Key cannot be blank"
                    : !META_KEY.matcher(key).matches() ? "Key contains invalid characters"
                    : key.length() > 128 ? "Key is too long (limit: 128 characters)"
                    : key.startsWith("consul-") ? "Key prefix 'consul-' is reserved for internal use"
                    : value.getBytes(StandardCharsets.UTF_8).length > 512 ? "Value is too long (limit: 512 characters)"
                    : null;
            if (problem != null) {
                throw new HttpError(400, "Invalid Service Meta: Couldn't load metadata pair ('" + key + "', '" + value + "'): " + problem);
            }
            meta.put(key, value);
        }
        return meta;
    }

    /** A field by name, matched case-insensitively as Consul's decoder does. */
    private static JsonNode field(JsonNode object, String name) {
        for (Map.Entry<String, JsonNode> e : object.properties()) {
            if (e.getKey().equalsIgnoreCase(name)) {
                return e.getValue();
            }
        }
        return null;
    }

    private static boolean present(JsonNode object, String name) {
        JsonNode value = field(object, name);
        return value != null && !value.isNull() && !(value.isContainerNode() && value.isEmpty());
    }

    private static String text(JsonNode object, String name, String fallback) {
        JsonNode value = field(object, name);
        return value == null || value.isNull() ? fallback : value.asText();
    }

    private static int integer(JsonNode object, String name, int fallback) {
        JsonNode value = field(object, name);
        return value == null || value.isNull() ? fallback : value.asInt();
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new HashMap<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        for (String pair : raw.split("&")) {
            int eq = pair.indexOf('=');
            String key = decode(eq < 0 ? pair : pair.substring(0, eq));
            out.put(key.toLowerCase(Locale.ROOT), eq < 0 ? "" : decode(pair.substring(eq + 1)));
        }
        return out;
    }

    private static String decode(String text) {
        return URLDecoder.decode(text, StandardCharsets.UTF_8);
    }

    /** An error answer: Consul writes the reason as plain text. */
    private static final class HttpError extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int status;

        HttpError(int status, String reason) {
            super(reason, null, false, false);
            this.status = status;
        }
    }

    /** One answer. */
    private record Reply(int status, String contentType, byte[] body, long index, boolean filtered) {
        static Reply empty() {
            return new Reply(200, "text/plain; charset=utf-8", new byte[0], -1, false);
        }

        static Reply text(int status, String reason) {
            return new Reply(status, "text/plain; charset=utf-8", reason.getBytes(StandardCharsets.UTF_8), -1, false);
        }

        static Reply json(long index, JsonNode body, boolean filtered) {
            try {
                return new Reply(200, "application/json", JSON.writeValueAsBytes(body), index, filtered);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        void send(HttpExchange exchange) throws IOException {
            exchange.getResponseHeaders().set("Content-Type", contentType);
            if (index >= 0) {
                exchange.getResponseHeaders().set("X-Consul-Index", Long.toString(index));
                exchange.getResponseHeaders().set("X-Consul-Knownleader", "true");
                exchange.getResponseHeaders().set("X-Consul-Lastcontact", "0");
            }
            if (filtered) {
                exchange.getResponseHeaders().set("X-Consul-Results-Filtered-By-ACLs", "true");
            }
            exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
            if (body.length > 0) {
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
        }
    }
}
