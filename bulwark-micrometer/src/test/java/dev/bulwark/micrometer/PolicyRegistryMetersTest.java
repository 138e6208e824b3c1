package dev.bulwark.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.breaker.CircuitBreaker;
import dev.bulwark.breaker.CircuitBreakerConfig;
import dev.bulwark.breaker.CircuitBreakers;
import dev.bulwark.bulkhead.Bulkhead;
import dev.bulwark.bulkhead.BulkheadConfig;
import dev.bulwark.bulkhead.Bulkheads;
import dev.bulwark.registry.PolicyRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Every instance of a policy registry gets meters, those created later included, and loses them on removal. */
class PolicyRegistryMetersTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private Set<String> breakersWithStateGauges() {
        return registry.find("bulwark.breaker.state").gauges().stream()
                .map(g -> g.getId().getTag("name")).collect(Collectors.toSet());
    }

    @Test
    void bindsBreakersThatExistAndThatComeLaterAndUnbindsRemovedOnes() {
        PolicyRegistry<CircuitBreaker, CircuitBreakerConfig> breakers = CircuitBreakers.registry(
                CircuitBreakerConfig.builder().consecutiveFailures(1).build());
        breakers.get("http:payment-api");
        PolicyRegistryMeters<CircuitBreaker> meters = PolicyRegistryMeters.breakers(breakers);
        meters.bindTo(registry);
        assertThat(breakersWithStateGauges()).containsExactly("http:payment-api");

        CircuitBreaker later = breakers.get("grpc:user-service");
        assertThat(breakersWithStateGauges()).containsExactlyInAnyOrder("http:payment-api", "grpc:user-service");
        assertThat(meters.boundCount()).isEqualTo(2);
        later.forceOpen();
        assertThat(registry.get("bulwark.breaker.transitions").tags("name", "grpc:user-service", "to", "forced_open")
                .counter().count()).isEqualTo(1);

        // Reconfigured live: same instance, same meters.
        breakers.apply("http:payment-api", CircuitBreakerConfig.builder().consecutiveFailures(3).build());
        assertThat(registry.find("bulwark.breaker.state").tag("name", "http:payment-api").gauges()).hasSize(5);

        breakers.remove("http:payment-api");
        assertThat(breakersWithStateGauges()).containsExactly("grpc:user-service");
        assertThat(registry.find("bulwark.breaker.rejected.calls").tag("name", "http:payment-api").meters()).isEmpty();

        meters.close();
        assertThat(registry.getMeters()).isEmpty();
        breakers.get("after-close");
        assertThat(registry.getMeters()).as("no longer following the registry").isEmpty();
    }

    @Test
    void bindsBulkheadsOfABulkheadRegistry() {
        PolicyRegistry<Bulkhead, BulkheadConfig> bulkheads = Bulkheads.registry(BulkheadConfig.of(4));
        PolicyRegistryMeters.bulkheads(bulkheads).bindTo(registry);
        Bulkhead reports = bulkheads.get("reports");
        assertThat(reports.tryAcquirePermission()).isTrue();

        assertThat(registry.get("bulwark.bulkhead.in.flight").tag("name", "reports").gauge().value()).isEqualTo(1);
        bulkheads.apply("reports", BulkheadConfig.of(10));
        assertThat(registry.get("bulwark.bulkhead.max.concurrent").tag("name", "reports").gauge().value()).isEqualTo(10);
    }
}
