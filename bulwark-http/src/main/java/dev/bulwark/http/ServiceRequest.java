package dev.bulwark.http;

import dev.bulwark.CallContext;
import dev.bulwark.InvalidConfigException;
import dev.bulwark.discovery.Names;
import dev.bulwark.internal.Check;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * One call to a service, addressed by its name in discovery: method, path, headers, body, and how
 * long the whole exchange may take. Immutable; a retry sends it again, so a streaming body comes
 * from a supplier that can open the stream once per attempt.
 *
 * <pre>{@code
 * ServiceRequest request = ServiceRequest.post("order-service", "/orders")
 *     .json(Map.of("item", "book", "quantity", 2))
 *     .header("Idempotency-Key", "order-7f3a")      // makes a POST safe to retry
 *     .timeout(Duration.ofSeconds(2))                // the whole exchange, body included, retries too
 *     .build();
 * }</pre>
 */
public final class ServiceRequest {
    /** What a request carries. */
    sealed interface Body {
        record None() implements Body {
        }

        record Bytes(byte[] bytes, String contentType) implements Body {
        }

        record Json(Object value) implements Body {
        }

        record Stream(Supplier<? extends InputStream> open, String contentType) implements Body {
        }
    }

    private static final Body NONE = new Body.None();

    private final String service;
    private final String method;
    private final String path;
    private final Map<String, List<String>> headers;
    private final Body body;
    private final Duration timeout;
    private final Boolean idempotent;
    private final CallContext context;

    private ServiceRequest(Builder b) {
        this.service = b.service;
        this.method = b.method;
        this.path = b.path;
        this.headers = Map.copyOf(b.headers);
        this.body = b.body;
        this.timeout = b.timeout;
        this.idempotent = b.idempotent;
        this.context = b.context;
    }

    /** A request of {@code method} (GET, POST, PATCH, ...) for {@code path} of {@code service}. */
    public static Builder method(String method, String service, String path) {
        return new Builder(method, service, path);
    }

    public static Builder get(String service, String path) {
        return method("GET", service, path);
    }

    public static Builder post(String service, String path) {
        return method("POST", service, path);
    }

    public static Builder put(String service, String path) {
        return method("PUT", service, path);
    }

    public static Builder delete(String service, String path) {
        return method("DELETE", service, path);
    }

    public String service() {
        return service;
    }

    public String method() {
        return method;
    }

    /** The path and query, starting with {@code /}. */
    public String path() {
        return path;
    }

    /** The request's own headers (the client adds its defaults). */
    public Map<String, List<String>> headers() {
        return headers;
    }

    /** The whole exchange's time limit, retries included, or {@code null} for the client's default. */
    public Duration timeout() {
        return timeout;
    }

    /** The call's context (a deadline, attributes), or {@link CallContext#none()}. */
    public CallContext context() {
        return context;
    }

    /**
     * Whether it is safe to send twice: GET, HEAD, OPTIONS, PUT and DELETE are, and any request
     * with an {@code Idempotency-Key} header, unless the request says otherwise.
     */
    public boolean isIdempotent() {
        if (idempotent != null) {
            return idempotent;
        }
        if (headers.keySet().stream().anyMatch(h -> h.equalsIgnoreCase("Idempotency-Key"))) {
            return true;
        }
        return switch (method) {
            case "GET", "HEAD", "OPTIONS", "PUT", "DELETE", "TRACE" -> true;
            default -> false;
        };
    }

    Body body() {
        return body;
    }

    @Override
    public String toString() {
        return method + " " + service + path;
    }

    /** Builds a {@link ServiceRequest}. */
    public static final class Builder {
        private final String service;
        private final String method;
        private final String path;
        private final Map<String, List<String>> headers = new LinkedHashMap<>();
        private Body body = NONE;
        private Duration timeout;
        private Boolean idempotent;
        private CallContext context = CallContext.none();

        private Builder(String method, String service, String path) {
            this.method = checkMethod(method);
            this.service = Names.check("service", service);
            this.path = checkPath(path);
        }

        /** Adds a header value (a header may have several). */
        public Builder header(String name, String value) {
            Check.name("header", name);
            if (name.chars().anyMatch(c -> c <= ' ' || c == ':' || c >= 127)) {
                throw new InvalidConfigException("header", name, "a header name without spaces, colons or control characters");
            }
            Check.notNull("header " + name, value);
            if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
                throw new InvalidConfigException("header " + name, value, "a value without line breaks");
            }
            headers.computeIfAbsent(name, n -> new java.util.ArrayList<>()).add(value);
            return this;
        }

        /** A body of bytes, of {@code contentType}. */
        public Builder body(byte[] bytes, String contentType) {
            body = new Body.Bytes(Check.notNull("body", bytes).clone(), Check.name("contentType", contentType));
            return this;
        }

        /** A text body, UTF-8, of {@code contentType} (e.g. {@code text/plain}). */
        public Builder body(String text, String contentType) {
            return body(Check.notNull("body", text).getBytes(StandardCharsets.UTF_8), contentType + "; charset=utf-8");
        }

        /** A body the client's {@code ObjectMapper} writes as JSON. */
        public Builder json(Object value) {
            body = new Body.Json(Check.notNull("json", value));
            return this;
        }

        /** A streamed body; {@code open} is called once per attempt, so a retry sends it again. */
        public Builder stream(Supplier<? extends InputStream> open, String contentType) {
            body = new Body.Stream(Check.notNull("stream", open), Check.name("contentType", contentType));
            return this;
        }

        /** The whole exchange's time limit, retries included (default: the client's). */
        public Builder timeout(Duration limit) {
            timeout = Check.positive("timeout", limit);
            return this;
        }

        /** Whether the request is safe to send twice, whatever its method says. */
        public Builder idempotent(boolean safe) {
            idempotent = safe;
            return this;
        }

        /** The call's context: its deadline bounds the exchange, its attributes reach the balancer (a hash key). */
        public Builder context(CallContext callContext) {
            context = Check.notNull("context", callContext);
            return this;
        }

        public ServiceRequest build() {
            if (!(body instanceof Body.None) && (method.equals("GET") || method.equals("HEAD"))) {
                throw new InvalidConfigException("body", method, "a method that carries a body (not GET or HEAD)");
            }
            return new ServiceRequest(this);
        }

        private static String checkMethod(String method) {
            if (method == null || method.isEmpty() || method.length() > 20 || !method.chars().allMatch(c -> (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))) {
                throw new InvalidConfigException("method", method, "an HTTP method such as GET, POST, PUT, PATCH or DELETE");
            }
            return method.toUpperCase(Locale.ROOT);
        }

        private static String checkPath(String path) {
            if (path == null || !path.startsWith("/") || path.startsWith("//") || path.chars().anyMatch(c -> c <= ' ' || c >= 127)) {
                throw new InvalidConfigException("path", path == null ? null : "\"" + path + "\"",
                        "a path starting with one '/', without spaces (encode them), e.g. /users/42?fields=name");
            }
            return path;
        }
    }
}
