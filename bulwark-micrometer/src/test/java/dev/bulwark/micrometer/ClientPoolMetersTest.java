package dev.bulwark.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.bulwark.breaker.CircuitBreakerConfig;
import dev.bulwark.call.ClientPool;
import dev.bulwark.call.NoEndpointAvailableException;
import dev.bulwark.testing.FakeTicker;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The pool's gauges read live state, and follow endpoints added and removed. */
class ClientPoolMetersTest {
    private final FakeTicker ticker = new FakeTicker();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final ClientPool<String> pool = ClientPool.<String>builder("orders")
            .ticker(ticker)
            .breaker(CircuitBreakerConfig.builder().consecutiveFailures(2).openFor(Duration.ofSeconds(10)).build())
            .build();

    private Gauge gauge(String name, String endpoint) {
        return registry.find(name).tags("pool", "orders", "endpoint", endpoint).gauge();
    }

    private double value(String name, String endpoint) {
        return registry.get(name).tags("pool", "orders", "endpoint", endpoint).gauge().value();
    }

    @Test
    void followsEndpointsAddedAndRemoved() {
        pool.add("orders-1", "c1");
        pool.add("orders-2", "c2");
        ClientPoolMeters meters = ClientPoolMeters.of(pool);
        meters.bindTo(registry);
        assertThat(meters.endpoints()).containsExactlyInAnyOrder("orders-1", "orders-2");
        assertThat(registry.get("bulwark.pool.endpoints").tag("pool", "orders").gauge().value()).isEqualTo(2);

        pool.add("orders-3", "c3", 4);
        assertThat(gauge("bulwark.pool.endpoint.weight", "orders-3")).as("registered as it joins").isNotNull();
        pool.remove("orders-1");
        assertThat(gauge("bulwark.pool.endpoint.in.flight", "orders-1")).as("removed as it leaves").isNull();

        assertThat(meters.endpoints()).containsExactlyInAnyOrder("orders-2", "orders-3");
        assertThat(value("bulwark.pool.endpoint.weight", "orders-3")).isEqualTo(4);
        for (String name : new String[] {"bulwark.pool.endpoint.in.flight", "bulwark.pool.endpoint.breaker.state",
                "bulwark.pool.endpoint.latency.ewma", "bulwark.pool.endpoint.weight", "bulwark.pool.endpoint.breaker.rejections"}) {
            assertThat(registry.find(name).tag("endpoint", "orders-1").meters()).as(name).isEmpty();
            assertThat(registry.find(name).tag("endpoint", "orders-3").meters()).as(name).hasSize(1);
        }
        assertThat(registry.get("bulwark.pool.endpoints").tag("pool", "orders").gauge().value()).isEqualTo(2);

        // Removed and added again under the same name: the gauges follow the new endpoint.
        pool.remove("orders-2");
        pool.add("orders-2", "c2-again", 7);
        assertThat(value("bulwark.pool.endpoint.weight", "orders-2")).isEqualTo(7);

        meters.close();
        assertThat(registry.getMeters()).isEmpty();
        pool.add("orders-9", "c9");
        assertThat(registry.getMeters()).as("a closed binder no longer follows the pool").isEmpty();
    }

    @Test
    void callMetersOfARemovedEndpointGoOnceItHasDrained() {
        MicrometerCallRecorder recorder = MicrometerCallRecorder.of(registry);
        ClientPool<String> metered = ClientPool.<String>builder("orders").ticker(ticker)
                .stage(dev.bulwark.call.Stages.metrics(recorder, ticker)).build();
        ClientPoolMeters.of(metered).forgetting(recorder).bindTo(registry);
        metered.add("orders-1", "c1");
        metered.add("orders-2", "c2");
        String[] removedWhileRunning = new String[1];
        metered.call((client, endpoint, context) -> {
            removedWhileRunning[0] = endpoint.name();
            metered.remove(endpoint.name()); // leaves while its call runs
            assertThat(registry.find("bulwark.pool.requests").tag("endpoint", endpoint.name()).meters())
                    .as("no call recorded yet").isEmpty();
            return client;
        });
        assertThat(registry.find("bulwark.pool.requests").tag("endpoint", removedWhileRunning[0]).meters())
                .as("recorded at the end of the call, then dropped once the endpoint drained").isEmpty();
        metered.call((client, endpoint, context) -> client);
        assertThat(registry.find("bulwark.pool.requests").tag("endpoint", metered.endpoints().get(0).name()).meters())
                .hasSize(1);
    }

    @Test
    void inFlightLatencyAndWeightFollowTheEndpointLive() {
        pool.add("orders-1", "c1");
        ClientPoolMeters.of(pool).bindTo(registry);

        double[] inFlightDuringCall = new double[1];
        pool.call((client, endpoint, context) -> {
            inFlightDuringCall[0] = value("bulwark.pool.endpoint.in.flight", endpoint.name());
            ticker.advance(Duration.ofMillis(20));
            return client;
        });
        assertThat(inFlightDuringCall[0]).isEqualTo(1);
        assertThat(value("bulwark.pool.endpoint.in.flight", "orders-1")).isZero();
        // Peak EWMA: the first answer sets the estimate, read at the same instant.
        assertThat(registry.get("bulwark.pool.endpoint.latency.ewma").tag("endpoint", "orders-1").timeGauge()
                .value(TimeUnit.MILLISECONDS)).isCloseTo(20, within(0.001));

        pool.reweight("orders-1", 3);
        assertThat(value("bulwark.pool.endpoint.weight", "orders-1")).isEqualTo(3);
    }

    @Test
    void breakerStateAndRejectionsFollowTheEndpointsBreaker() {
        pool.add("orders-1", "c1");
        ClientPoolMeters.of(pool).bindTo(registry);
        assertThat(value("bulwark.pool.endpoint.breaker.state", "orders-1")).isEqualTo(0); // closed

        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> pool.call((client, endpoint, context) -> {
                throw new IllegalStateException("down");
            })).isInstanceOf(IllegalStateException.class);
        }
        assertThat(value("bulwark.pool.endpoint.breaker.state", "orders-1")).isEqualTo(2); // open
        assertThat(registry.get("bulwark.pool.endpoint.breaker.rejections").tag("endpoint", "orders-1")
                .functionCounter().count()).isZero();

        assertThatThrownBy(() -> pool.call((client, endpoint, context) -> client))
                .isInstanceOf(NoEndpointAvailableException.class);
        assertThat(registry.get("bulwark.pool.endpoint.breaker.rejections").tag("endpoint", "orders-1")
                .functionCounter().count()).as("an open endpoint is passed over, not asked").isZero();

        ticker.advance(Duration.ofSeconds(10));
        assertThat(value("bulwark.pool.endpoint.breaker.state", "orders-1")).isEqualTo(1); // half-open
        pool.call((client, endpoint, context) -> { // the one probe; a call made meanwhile is turned away
            assertThatThrownBy(() -> pool.call((c, e, x) -> c)).isInstanceOf(NoEndpointAvailableException.class);
            return client;
        });
        assertThat(registry.get("bulwark.pool.endpoint.breaker.rejections").tag("endpoint", "orders-1")
                .functionCounter().count()).isPositive();
        assertThat(value("bulwark.pool.endpoint.breaker.state", "orders-1")).isEqualTo(0); // the probe closed it
        pool.endpoint("orders-1").orElseThrow().breaker().halfOpen();
        pool.endpoint("orders-1").orElseThrow().breaker().forceOpen();
        assertThat(value("bulwark.pool.endpoint.breaker.state", "orders-1")).isEqualTo(3);
        pool.endpoint("orders-1").orElseThrow().breaker().disable();
        assertThat(value("bulwark.pool.endpoint.breaker.state", "orders-1")).isEqualTo(4);
    }

    @Test
    void bindsToASecondRegistryWithTheSameEndpoints() {
        pool.add("orders-1", "c1");
        ClientPoolMeters meters = ClientPoolMeters.of(pool);
        meters.bindTo(registry);
        SimpleMeterRegistry second = new SimpleMeterRegistry();
        meters.bindTo(second);
        pool.add("orders-2", "c2");

        assertThat(second.getMeters()).hasSameSizeAs(registry.getMeters());
        assertThat(second.find("bulwark.pool.endpoint.in.flight").tag("endpoint", "orders-2").gauge()).isNotNull();
        meters.close();
        assertThat(registry.getMeters()).isEmpty();
        assertThat(second.getMeters()).isEmpty();
    }
}
