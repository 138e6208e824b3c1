package dev.bulwark.discovery.consul;

import dev.bulwark.discovery.RegistryConfig;
import dev.bulwark.discovery.ServiceRegistry;
import dev.bulwark.testing.discovery.RegistryContract;
import java.time.Duration;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * The shared registry contract against a REAL Consul agent, opt-in: set {@code CONSUL_HTTP_ADDR}
 * ({@code host:port} or a URL, as Consul's own CLI reads it), and {@code CONSUL_HTTP_TOKEN},
 * {@code CONSUL_HTTP_SSL=true} and {@code CONSUL_CACERT} where the agent needs them. No Consul can
 * be installed on this machine, so by default this is skipped and the contract runs against the
 * in-process fake ({@link ConsulFakeContractTest}).
 *
 * <p>Every test uses fresh service names; what it registers lapses on its own (the checks of
 * TTL-less instances turn critical once their client closes, and Consul removes them a minute
 * later).
 */
@EnabledIfEnvironmentVariable(named = "CONSUL_HTTP_ADDR", matches = ".+",
        disabledReason = "set CONSUL_HTTP_ADDR=host:port to run against a real Consul; none can be installed on this machine")
class ConsulRealContractTest extends RegistryContract {

    @Override
    protected ServiceRegistry connect() {
        RegistryConfig.Builder config = RegistryConfig.builder(RegistryConfig.CONSUL)
                .endpoints(System.getenv("CONSUL_HTTP_ADDR"))
                .tls("true".equalsIgnoreCase(System.getenv("CONSUL_HTTP_SSL")))
                .connectTimeout(Duration.ofSeconds(5))
                .sessionTimeout(Duration.ofSeconds(15));
        String token = System.getenv("CONSUL_HTTP_TOKEN");
        if (token != null && !token.isBlank()) {
            config.option(ConsulSettings.TOKEN, token.trim());
        }
        String ca = System.getenv("CONSUL_CACERT");
        if (ca != null && !ca.isBlank()) {
            config.option(ConsulSettings.TLS_CA_FILE, ca.trim());
        }
        return ConsulRegistry.connect(config.build());
    }

    @Override
    protected Duration shortTtl() {
        return Duration.ofSeconds(2);
    }
}
