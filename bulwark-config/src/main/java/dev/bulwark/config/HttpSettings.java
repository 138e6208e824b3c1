package dev.bulwark.config;

import dev.bulwark.balance.Strategy;
import dev.bulwark.discovery.ServiceDiscovery;
import dev.bulwark.http.ServiceClient;
import dev.bulwark.internal.Check;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The HTTP service client of a {@link BulwarkConfig}, from its {@code http} section:
 *
 * <pre>{@code
 * ServiceClient client = HttpSettings.client(config, discovery).build();
 * }</pre>
 *
 * {@code timeout} (the whole exchange), {@code attempt-timeout}, {@code connect-timeout};
 * {@code max-attempts} (1: no retry; otherwise the {@code retries} entry {@code http}, or
 * {@code default}, with that many attempts); {@code balancer}; {@code max-calls-per-instance};
 * {@code max-response-size}; {@code breaker}, the {@code breakers} entry each instance's breaker
 * follows. Needs bulwark-http on the class path.
 */
public final class HttpSettings {
    private HttpSettings() {
    }

    public static ServiceClient.Builder client(BulwarkConfig config, ServiceDiscovery discovery) {
        Check.notNull("config", config);
        return GrpcSettings.building(config, "http", () -> {
            ServiceClient.Builder b = ServiceClient.builder(discovery);
            get(config, "timeout", Duration.class).ifPresent(b::timeout);
            get(config, "attempt-timeout", Duration.class).ifPresent(b::attemptTimeout);
            get(config, "connect-timeout", Duration.class).ifPresent(b::connectTimeout);
            b.balancer(Strategy.of(get(config, "balancer", String.class).orElse("peak_ewma")));
            Optional<Integer> attempts = get(config, "max-attempts", Integer.class);
            if (attempts.isPresent() && attempts.get() == 1) {
                b.noRetry();
            } else if (attempts.isPresent() || config.names("retries").contains("http")) {
                b.retry(PolicySettings.retry(config, "http", attempts));
            }
            get(config, "max-calls-per-instance", Integer.class).ifPresent(b::maxCallsPerInstance);
            get(config, "max-response-size", Long.class).ifPresent(b::maxResponseBytes);
            get(config, "breaker", String.class).ifPresent(name -> b.instanceBreaker(config.breakerConfig(name)));
            return b;
        });
    }

    private static <T> Optional<T> get(BulwarkConfig config, String key, Class<T> type) {
        return config.get(List.of("http", key), type);
    }
}
