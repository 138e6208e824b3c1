package dev.bulwark.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.bulwark.breaker.CircuitBreaker;
import dev.bulwark.breaker.CircuitBreakerConfig;
import dev.bulwark.breaker.CircuitBreakers;
import dev.bulwark.registry.PolicyRegistry;
import dev.bulwark.testing.FakeTicker;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import org.slf4j.event.KeyValuePair;

/** Breaker events as log lines with key-value pairs, rejections sampled in virtual time. */
class EventLogTest {
    private final FakeTicker ticker = new FakeTicker();
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger(EventLog.BREAKER_LOGGER);

    @BeforeEach
    void attach() {
        lines.start();
        logger.addAppender(lines);
    }

    @AfterEach
    void detach() {
        logger.detachAppender(lines);
    }

    private static Map<String, Object> fields(ILoggingEvent event) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("message", event.getFormattedMessage());
        fields.put("level", event.getLevel().toString());
        for (KeyValuePair pair : event.getKeyValuePairs() == null ? List.<KeyValuePair>of() : event.getKeyValuePairs()) {
            fields.put(pair.key, pair.value);
        }
        return fields;
    }

    private List<Map<String, Object>> logged(String message) {
        return lines.list.stream().map(EventLogTest::fields).filter(f -> f.get("message").equals(message)).toList();
    }

    @Test
    void creationStateChangesAndPolicyUpdatesAreLoggedWithTheirFields() {
        PolicyRegistry<CircuitBreaker, CircuitBreakerConfig> breakers = EventLog.breakers(
                CircuitBreakers.registry(CircuitBreakerConfig.builder().consecutiveFailures(2).build(), ticker));
        CircuitBreaker users = breakers.get("grpc:user-service");
        users.onFailure(users.tryAcquirePermission(), 1, new IOException("down"));
        users.onFailure(users.tryAcquirePermission(), 1, new IOException("down"));
        breakers.apply("grpc:user-service", CircuitBreakerConfig.builder().consecutiveFailures(5).build());

        assertThat(logged("circuit breaker created")).singleElement()
                .satisfies(f -> assertThat(f).containsEntry("name", "grpc:user-service").containsKey("policy"));
        assertThat(logged("circuit breaker state changed")).singleElement().satisfies(f -> assertThat(f)
                .containsEntry("level", "WARN").containsEntry("name", "grpc:user-service")
                .containsEntry("from", "CLOSED").containsEntry("to", "OPEN")
                .hasEntrySatisfying("reason", r -> assertThat(String.valueOf(r)).contains("consecutive")));
        assertThat(logged("circuit breaker policy updated")).singleElement()
                .satisfies(f -> assertThat(String.valueOf(f.get("policy"))).contains("5"));
    }

    @Test
    void rejectionsAreSampledOnceAPeriodWithTheirCount() {
        PolicyRegistry<CircuitBreaker, CircuitBreakerConfig> breakers = EventLog.breakers(
                CircuitBreakers.registry(CircuitBreakerConfig.defaults(), ticker), ticker, Duration.ofSeconds(1));
        CircuitBreaker payments = breakers.get("http:payment-api");
        payments.forceOpen();
        for (int i = 0; i < 500; i++) {
            assertThat(payments.tryAcquirePermission()).isEqualTo(CircuitBreaker.NO_PERMIT);
        }
        assertThat(logged("calls rejected")).singleElement().satisfies(f -> assertThat(f).containsEntry("rejected", 1L));
        ticker.advance(Duration.ofSeconds(1));
        payments.tryAcquirePermission();
        assertThat(logged("calls rejected")).hasSize(2).last()
                .satisfies(f -> assertThat(f).containsEntry("rejected", 500L).containsEntry("state", "FORCED_OPEN"));
        payments.tryAcquirePermission();
        payments.tryAcquirePermission();
        payments.reset();
        assertThat(logged("calls rejected")).as("flushed when the state is left").hasSize(3).last()
                .satisfies(f -> assertThat(f).containsEntry("rejected", 2L));
    }

    @Test
    void aBreakerIsLoggedOnceHoweverOftenItsRegistryIsBound() {
        PolicyRegistry<CircuitBreaker, CircuitBreakerConfig> breakers = CircuitBreakers.registry(CircuitBreakerConfig.defaults(), ticker);
        CircuitBreaker early = breakers.get("early");
        EventLog.breakers(breakers);
        EventLog.breakers(breakers);
        CircuitBreaker late = breakers.get("late");
        early.forceOpen();
        late.forceOpen();
        assertThat(logged("circuit breaker state changed")).hasSize(2);
        assertThat(logged("circuit breaker created")).as("one line for the breaker made after binding").hasSize(1);
    }
}
