package dev.bulwark.grpc.server;

import dev.bulwark.InvalidConfigException;
import dev.bulwark.bulkhead.Bulkhead;
import dev.bulwark.bulkhead.BulkheadConfig;
import dev.bulwark.grpc.internal.Limits;
import dev.bulwark.internal.Check;
import dev.bulwark.ratelimit.KeyedRateLimiter;
import dev.bulwark.ratelimit.RateLimiter;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a {@link BulwarkServer} refuses, before a call reaches its handler: calls over a rate
 * (overall, per method, per key), calls over a concurrency cap (server-wide, per method; streaming
 * calls count for their whole life), and deadlines longer than a cap. A rate-limited call ends
 * {@code RESOURCE_EXHAUSTED} with {@code grpc-retry-pushback-ms} and a message naming the limit; a
 * call over a concurrency cap ends {@code RESOURCE_EXHAUSTED} naming the cap. Every permit is
 * returned on every path: completion, cancellation, deadline, an exception in the handler, an
 * executor that rejects the call's work.
 *
 * <pre>{@code
 * ServerProtection protection = ServerProtection.builder()
 *     .rateLimit(TokenBucket.builder("grpc-server").permitsPerSecond(5_000).burst(500).build())
 *     .rateLimit("bulwark.test.Echo/Unary", TokenBucket.builder("echo-unary").permitsPerSecond(1_000).burst(100).build())
 *     .rateLimitPerKey("x-user-id", KeyedRateLimiter.<String>builder("per-user")
 *         .limiter(user -> TokenBucket.builder("user").permitsPerSecond(50).burst(20).build())
 *         .maxKeys(100_000).expireAfterIdle(Duration.ofMinutes(10)).build())
 *     .maxConcurrentCalls(200)                    // live: resize with the bulkhead's own reconfigure
 *     .maxDeadline(Duration.ofSeconds(30))        // no call runs longer, whatever its client asked
 *     .build();
 * }</pre>
 */
public final class ServerProtection {
    private final RateLimiter rate;
    private final Map<String, RateLimiter> methodRates;
    private final String keyHeader;
    private final KeyedRateLimiter<String> keyedRate;
    private final Bulkhead concurrency;
    private final Map<String, Bulkhead> methodConcurrency;
    private final Duration maxDeadline;

    private ServerProtection(Builder b) {
        this.rate = b.rate;
        this.methodRates = Map.copyOf(b.methodRates);
        this.keyHeader = b.keyHeader;
        this.keyedRate = b.keyedRate;
        this.concurrency = b.concurrency;
        this.methodConcurrency = Map.copyOf(b.methodConcurrency);
        this.maxDeadline = b.maxDeadline;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The server-wide rate limiter, or {@code null}. */
    public RateLimiter rateLimit() {
        return rate;
    }

    /** Rate limiters by full method name ({@code package.Service/Method}). */
    public Map<String, RateLimiter> methodRateLimits() {
        return methodRates;
    }

    /** The metadata key whose value keys the per-key limiter, or {@code null}. */
    public String rateLimitKey() {
        return keyHeader;
    }

    /** The per-key limiter, or {@code null}. */
    public KeyedRateLimiter<String> keyedRateLimit() {
        return keyedRate;
    }

    /** The server-wide concurrency cap, as a bulkhead (resize it live with its reconfigure), or {@code null}. */
    public Bulkhead concurrency() {
        return concurrency;
    }

    /** Concurrency caps by full method name. */
    public Map<String, Bulkhead> methodConcurrency() {
        return methodConcurrency;
    }

    /** The longest deadline a call gets, or {@code null}. */
    public Duration maxDeadline() {
        return maxDeadline;
    }

    /** Builds a {@link ServerProtection}. */
    public static final class Builder {
        private RateLimiter rate;
        private final Map<String, RateLimiter> methodRates = new LinkedHashMap<>();
        private String keyHeader;
        private KeyedRateLimiter<String> keyedRate;
        private Bulkhead concurrency;
        private final Map<String, Bulkhead> methodConcurrency = new LinkedHashMap<>();
        private Duration maxDeadline;

        private Builder() {
        }

        /** Limits the rate of every call the server takes. */
        public Builder rateLimit(RateLimiter limiter) {
            rate = Check.notNull("rateLimit", limiter);
            return this;
        }

        /** Limits the rate of one method's calls ({@code package.Service/Method}). */
        public Builder rateLimit(String fullMethodName, RateLimiter limiter) {
            methodRates.put(method("rateLimit.method", fullMethodName), Check.notNull("rateLimit", limiter));
            return this;
        }

        /**
         * Limits the rate per key: the value of the metadata entry {@code metadataKey} (such as
         * {@code x-user-id}), or the caller's address when a call has none. Key memory is the
         * limiter's ({@code maxKeys}, idle expiry).
         */
        public Builder rateLimitPerKey(String metadataKey, KeyedRateLimiter<String> limiter) {
            keyHeader = Check.name("rateLimitPerKey.key", metadataKey).toLowerCase(java.util.Locale.ROOT);
            keyedRate = Check.notNull("rateLimitPerKey", limiter);
            return this;
        }

        /** At most {@code calls} calls in flight server-wide (a streaming call for its whole life). */
        public Builder maxConcurrentCalls(int calls) {
            concurrency = Bulkhead.of("grpc-server", BulkheadConfig.of((int) Limits.within("maxConcurrentCalls", calls, 1, 1_000_000)));
            return this;
        }

        /** At most {@code calls} calls of one method in flight. */
        public Builder maxConcurrentCalls(String fullMethodName, int calls) {
            String method = method("maxConcurrentCalls.method", fullMethodName);
            methodConcurrency.put(method, Bulkhead.of("grpc-server:" + method,
                    BulkheadConfig.of((int) Limits.within("maxConcurrentCalls[" + method + "]", calls, 1, 1_000_000))));
            return this;
        }

        /** No call runs longer than {@code limit}: the earlier of its client's deadline and this. */
        public Builder maxDeadline(Duration limit) {
            maxDeadline = Limits.within("maxDeadline", limit, Duration.ofMillis(1), Duration.ofDays(1), null);
            return this;
        }

        public ServerProtection build() {
            if (concurrency != null) {
                for (Map.Entry<String, Bulkhead> m : methodConcurrency.entrySet()) {
                    if (m.getValue().config().maxConcurrent() > concurrency.config().maxConcurrent()) {
                        throw new InvalidConfigException("maxConcurrentCalls[" + m.getKey() + "]", m.getValue().config().maxConcurrent(),
                                "at most the server-wide maxConcurrentCalls (" + concurrency.config().maxConcurrent() + ")");
                    }
                }
            }
            return new ServerProtection(this);
        }

        private static String method(String field, String fullMethodName) {
            if (fullMethodName == null || !fullMethodName.matches("[A-Za-z0-9_.]+/[A-Za-z0-9_]+")) {
                throw new InvalidConfigException(field, fullMethodName, "a full method name, package.Service/Method");
            }
            return fullMethodName;
        }
    }
}
