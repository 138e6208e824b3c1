package dev.bulwark.http.server;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpExchange;
import dev.bulwark.internal.Check;
import dev.bulwark.ratelimit.KeyedRateLimiter;
import dev.bulwark.ratelimit.RateLimitedException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * Rate limits a JDK {@code HttpServer}'s requests per key: the value of a header (by default
 * {@code X-User-ID}) or, without one, the caller's address. A request over its key's limit is
 * answered {@code 429 Too Many Requests} with {@code Retry-After} (whole seconds, rounded up) and a
 * body naming the limit; it never reaches the handler. Key memory is bounded by the limiter
 * ({@code maxKeys}, idle expiry).
 *
 * <pre>{@code
 * KeyedRateLimiter<String> perUser = KeyedRateLimiter.<String>builder("api-per-user")
 *     .limiter(user -> TokenBucket.builder("user").permitsPerSecond(10).burst(20).build())
 *     .maxKeys(100_000).expireAfterIdle(Duration.ofMinutes(10)).build();
 * HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
 * server.createContext("/api", exchange -> exchange.sendResponseHeaders(204, -1))
 *       .getFilters().add(RateLimitFilter.perKey(perUser).keyHeader("X-User-ID").build());
 * }</pre>
 */
public final class RateLimitFilter extends Filter {
    private final KeyedRateLimiter<String> limiter;
    private final String keyHeader;
    private final LongAdder allowed = new LongAdder();
    private final LongAdder rejected = new LongAdder();

    private RateLimitFilter(Builder b) {
        this.limiter = b.limiter;
        this.keyHeader = b.keyHeader;
    }

    /** A filter limiting each key with {@code limiter}. */
    public static Builder perKey(KeyedRateLimiter<String> limiter) {
        return new Builder(Check.notNull("limiter", limiter));
    }

    @Override
    public void doFilter(HttpExchange exchange, Chain chain) throws IOException {
        String key = keyOf(exchange);
        if (limiter.tryAcquire(key)) {
            allowed.increment();
            chain.doFilter(exchange);
            return;
        }
        rejected.increment();
        RateLimitedException over = limiter.rejection(key);
        long seconds = Math.max(1, (over.retryAfterNanos() + TimeUnit.SECONDS.toNanos(1) - 1) / TimeUnit.SECONDS.toNanos(1));
        byte[] body = ("rate limit: " + over.getMessage() + "\n").getBytes(StandardCharsets.UTF_8);
        exchange.getRequestBody().close();
        exchange.getResponseHeaders().set("Retry-After", Long.toString(seconds));
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(429, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }

    /** The header's value, else the caller's address. */
    private String keyOf(HttpExchange exchange) {
        String value = exchange.getRequestHeaders().getFirst(keyHeader);
        if (value != null && !value.isBlank()) {
            return "header:" + value.trim();
        }
        InetSocketAddress remote = exchange.getRemoteAddress();
        return "address:" + (remote == null || remote.getAddress() == null ? "unknown" : remote.getAddress().getHostAddress());
    }

    /** Requests let through since the filter was made. */
    public long allowed() {
        return allowed.sum();
    }

    /** Requests answered 429. */
    public long rejected() {
        return rejected.sum();
    }

    @Override
    public String description() {
        return "rate limit per " + keyHeader + " (else the caller's address): " + limiter.name();
    }

    /** Builds a {@link RateLimitFilter}. */
    public static final class Builder {
        private final KeyedRateLimiter<String> limiter;
        private String keyHeader = "X-User-ID";

        private Builder(KeyedRateLimiter<String> limiter) {
            this.limiter = limiter;
        }

        /** The request header holding the key (default {@code X-User-ID}). */
        public Builder keyHeader(String header) {
            keyHeader = Check.name("keyHeader", header);
            return this;
        }

        public RateLimitFilter build() {
            return new RateLimitFilter(this);
        }
    }
}
