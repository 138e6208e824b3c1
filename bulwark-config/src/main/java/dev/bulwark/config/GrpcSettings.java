package dev.bulwark.config;

import dev.bulwark.InvalidConfigException;
import dev.bulwark.balance.Strategy;
import dev.bulwark.breaker.CircuitBreakerConfig;
import dev.bulwark.discovery.ServiceDiscovery;
import dev.bulwark.grpc.client.BulwarkChannel;
import dev.bulwark.grpc.client.ResponseCache;
import dev.bulwark.grpc.server.BulwarkServer;
import dev.bulwark.grpc.server.ServerProtection;
import dev.bulwark.grpc.server.TaskHandlers;
import dev.bulwark.internal.Check;
import dev.bulwark.ratelimit.TokenBucket;
import dev.bulwark.retry.Backoff;
import dev.bulwark.retry.Jitter;
import dev.bulwark.retry.Retry;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The gRPC server and channel of a {@link BulwarkConfig}, from its {@code server} and
 * {@code client} sections, the reference framework's keys as it writes them:
 *
 * <pre>{@code
 * BulwarkServer server = GrpcSettings.server(config)   // bind, limits, keepalive, tasks, drain
 *     .service(userService)
 *     .build().start();
 * BulwarkChannel users = GrpcSettings.channel(config, "user-service", discovery).build();
 * }</pre>
 *
 * The builders come back ready for what the file cannot hold (services, interceptors,
 * credentials). A combination the builders refuse fails with a {@link ConfigException} at the
 * section's path. Needs bulwark-grpc on the class path.
 */
public final class GrpcSettings {
    private static final Duration DEFAULT_KEEPALIVE_TIMEOUT = Duration.ofSeconds(20);

    private GrpcSettings() {
    }

    /**
     * A server builder: {@code address}/{@code port}; {@code max-concurrent-requests},
     * {@code rate-limit} (per second) and {@code request-timeout} (the longest deadline) as the
     * server's protection; {@code max-connections}, {@code connection-timeout} (handshake),
     * {@code keep-alive-time}/{@code -timeout}, {@code max-message-size};
     * {@code enable-health-check}, {@code health-check-interval}; {@code drain-delay} and
     * {@code drain-grace}. Background tasks need the application's handlers: see {@link #tasks}.
     */
    public static BulwarkServer.Builder server(BulwarkConfig config) {
        Check.notNull("config", config);
        return building(config, "server", () -> {
            BulwarkServer.Builder b = BulwarkServer.builder();
            String address = get(config, "server", "address", String.class).orElse(":50051");
            int colon = address.lastIndexOf(':');
            String host = colon <= 0 ? "0.0.0.0" : address.substring(0, colon);
            int port;
            try {
                port = get(config, "server", "port", Integer.class)
                        .orElseGet(() -> Integer.parseInt(colon < 0 ? address : address.substring(colon + 1)));
            } catch (NumberFormatException e) {
                throw new InvalidConfigException("address", address, "host:port or :port, e.g. :50051 or 127.0.0.1:50051");
            }
            b.bind(host, port);
            Optional<Integer> concurrent = get(config, "server", "max-concurrent-requests", Integer.class);
            Optional<Double> rate = get(config, "server", "rate-limit", Double.class);
            Optional<Duration> deadline = get(config, "server", "request-timeout", Duration.class);
            if (concurrent.isPresent() || rate.isPresent() || deadline.isPresent()) {
                ServerProtection.Builder protection = ServerProtection.builder();
                concurrent.ifPresent(protection::maxConcurrentCalls);
                rate.ifPresent(r -> protection.rateLimit(TokenBucket.builder("server").permitsPerSecond(r)
                        .burst((int) Math.max(1, Math.min(Integer.MAX_VALUE, Math.ceil(r)))).build()));
                deadline.ifPresent(protection::maxDeadline);
                b.protection(protection.build());
            }
            get(config, "server", "max-connections", Integer.class).ifPresent(b::maxConnections);
            get(config, "server", "connection-timeout", Duration.class).ifPresent(b::handshakeTimeout);
            Optional<Duration> keepAlive = get(config, "server", "keep-alive-time", Duration.class);
            if (keepAlive.isPresent()) {
                b.keepAlive(keepAlive.get(), get(config, "server", "keep-alive-timeout", Duration.class).orElse(DEFAULT_KEEPALIVE_TIMEOUT));
            }
            get(config, "server", "max-message-size", Long.class).ifPresent(n -> b.maxInboundMessageSize((int) Math.min(Integer.MAX_VALUE, n)));
            b.healthService(get(config, "server", "enable-health-check", Boolean.class).orElse(true));
            get(config, "server", "health-check-interval", Duration.class).ifPresent(b::healthInterval);
            Optional<Duration> delay = get(config, "server", "drain-delay", Duration.class);
            Optional<Duration> grace = get(config, "server", "drain-grace", Duration.class);
            if (delay.isPresent() || grace.isPresent()) {
                b.drain(delay.orElse(Duration.ZERO), grace.orElse(Duration.ofSeconds(10)));
            }
            return b;
        });
    }

    /**
     * With {@code server.enable-async}, task handlers sized by {@code async-worker-count} and
     * {@code async-queue-size}, for the application to add its handlers to and hand to
     * {@link BulwarkServer.Builder#tasks}; empty when it is off.
     */
    public static Optional<TaskHandlers.Builder> tasks(BulwarkConfig config, String name) {
        Check.notNull("config", config);
        if (!get(config, "server", "enable-async", Boolean.class).orElse(false)) {
            return Optional.empty();
        }
        return Optional.of(building(config, "server", () -> TaskHandlers.builder(name)
                .workers(get(config, "server", "async-worker-count", Integer.class).orElseThrow())
                .queueSize(get(config, "server", "async-queue-size", Integer.class).orElseThrow())));
    }

    /**
     * A channel builder for {@code service}: {@code load-balance-type}; an endpoint breaker of
     * {@code circuit-breaker-threshold} failures in a row, open {@code circuit-breaker-timeout};
     * {@code retry-attempts} (or {@code max-retries} + 1) with exponential backoff from
     * {@code retry-delay} up to {@code retry-backoff}; {@code timeout} per attempt;
     * {@code keep-alive}, {@code conn-timeout}, {@code idle-timeout}, {@code max-connections};
     * {@code max-recv-msg-size}, {@code max-send-msg-size} (the retry buffer); with
     * {@code enable-cache}, a response cache of {@code cache-max-size} replies fresh for {@code cache-ttl}.
     */
    public static BulwarkChannel.Builder channel(BulwarkConfig config, String service, ServiceDiscovery discovery) {
        Check.notNull("config", config);
        return building(config, "client", () -> {
            BulwarkChannel.Builder b = BulwarkChannel.builder(service, discovery);
            b.balancer(Strategy.of(get(config, "client", "load-balance-type", String.class).orElse("peak_ewma")));
            Optional<Integer> threshold = get(config, "client", "circuit-breaker-threshold", Integer.class);
            Optional<Duration> open = get(config, "client", "circuit-breaker-timeout", Duration.class);
            if (threshold.isPresent() || open.isPresent()) {
                CircuitBreakerConfig.Builder breaker = CircuitBreakerConfig.builder();
                threshold.ifPresent(breaker::consecutiveFailures);
                open.ifPresent(breaker::openFor);
                b.endpointBreaker(breaker.build());
            }
            Optional<Integer> attempts = get(config, "client", "retry-attempts", Integer.class)
                    .or(() -> get(config, "client", "max-retries", Integer.class).map(n -> n + 1));
            if (attempts.isPresent()) {
                Duration first = get(config, "client", "retry-delay", Duration.class).orElse(Duration.ofMillis(100));
                Duration max = get(config, "client", "retry-backoff", Duration.class).orElse(first.multipliedBy(10));
                Backoff backoff = first.isZero() ? Backoff.none()
                        : Backoff.exponential(first, 2, max.compareTo(first) < 0 ? first : max).withJitter(Jitter.FULL);
                b.retry(Retry.builder("grpc:" + service).maxAttempts(attempts.get()).backoff(backoff).build());
            }
            get(config, "client", "timeout", Duration.class).ifPresent(b::attemptTimeout);
            get(config, "client", "keep-alive", Duration.class).ifPresent(t -> b.keepAlive(t, DEFAULT_KEEPALIVE_TIMEOUT));
            get(config, "client", "conn-timeout", Duration.class).ifPresent(b::connectTimeout);
            get(config, "client", "idle-timeout", Duration.class).ifPresent(b::idleTimeout);
            get(config, "client", "max-connections", Integer.class).ifPresent(n -> b.connectionPool(Math.min(n, 64), 100,
                    get(config, "client", "idle-timeout", Duration.class).orElse(Duration.ofMinutes(5))));
            get(config, "client", "max-recv-msg-size", Long.class).ifPresent(n -> b.maxInboundMessageSize((int) Math.min(Integer.MAX_VALUE, n)));
            get(config, "client", "max-send-msg-size", Long.class).ifPresent(b::retryBufferSize);
            if (get(config, "client", "enable-cache", Boolean.class).orElse(false)) {
                b.responseCache(ResponseCache.builder().ttl(get(config, "client", "cache-ttl", Duration.class).orElseThrow())
                        .maxEntries(get(config, "client", "cache-max-size", Integer.class).orElseThrow()).build());
            }
            return b;
        });
    }

    private static <T> Optional<T> get(BulwarkConfig config, String section, String key, Class<T> type) {
        return config.get(List.of(section, key), type);
    }

    /** Runs {@code build}, turning a builder's refusal into a problem at the section's path. */
    static <T> T building(BulwarkConfig config, String section, Supplier<T> build) {
        try {
            return build.get();
        } catch (InvalidConfigException e) {
            List<String> path = List.of(section, Keys.canonical(e.field()));
            Setting set = config.setting(path);
            throw new ConfigException(List.of(new ConfigException.Problem(section + " (" + e.field() + ")", e.value(),
                    set == null ? Origin.DEFAULT : set.origin(), e.allowed())));
        }
    }
}
