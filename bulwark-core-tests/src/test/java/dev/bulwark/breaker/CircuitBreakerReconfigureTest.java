package dev.bulwark.breaker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.registry.PolicyRegistry;
import dev.bulwark.testing.FakeTicker;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CircuitBreakerReconfigureTest {
    private final FakeTicker ticker = new FakeTicker();

    @Test
    void aLiveConfigChangeKeepsAnOpenBreakerOpen() {
        PolicyRegistry<CircuitBreaker, CircuitBreakerConfig> breakers = CircuitBreakers.registry(
                CircuitBreakerConfig.builder().consecutiveFailures(2).openFor(Duration.ofSeconds(30)).build(), ticker);
        CircuitBreaker breaker = breakers.get("grpc:user-service");
        breaker.onFailure(breaker.tryAcquirePermission(), 1, new IOException());
        breaker.onFailure(breaker.tryAcquirePermission(), 1, new IOException());
        assertThat(breaker.state()).isEqualTo(State.OPEN);

        CircuitBreakerConfig relaxed = CircuitBreakerConfig.builder().consecutiveFailures(10)
                .openFor(Duration.ofSeconds(5)).build();
        CircuitBreaker same = breakers.apply("grpc:user-service", relaxed);

        assertThat(same).as("the live instance is updated, never replaced").isSameAs(breaker);
        assertThat(breaker.state()).isEqualTo(State.OPEN);
        assertThat(breaker.config().consecutiveFailures()).isEqualTo(10);
        ticker.advance(Duration.ofSeconds(29));
        assertThat(breaker.tryAcquirePermission()).as("still open until the time it was given")
                .isEqualTo(CircuitBreaker.NO_PERMIT);
        ticker.advance(Duration.ofSeconds(1));
        assertThat(breaker.state()).isEqualTo(State.HALF_OPEN);
    }

    @Test
    void aNewDefaultReachesTheNamesWithoutTheirOwnAndUseDefaultRevertsANameKeepingState() {
        PolicyRegistry<CircuitBreaker, CircuitBreakerConfig> breakers = CircuitBreakers.registry(
                CircuitBreakerConfig.builder().consecutiveFailures(2).build(), ticker);
        breakers.configure("own", CircuitBreakerConfig.builder().consecutiveFailures(7).build());
        CircuitBreaker own = breakers.get("own");
        CircuitBreaker follower = breakers.get("follower");
        follower.onFailure(follower.tryAcquirePermission(), 1, new IOException());
        follower.onFailure(follower.tryAcquirePermission(), 1, new IOException());
        assertThat(follower.state()).isEqualTo(State.OPEN);

        breakers.applyDefault(CircuitBreakerConfig.builder().consecutiveFailures(4).build());

        assertThat(follower.config().consecutiveFailures()).isEqualTo(4);
        assertThat(follower.state()).as("state kept").isEqualTo(State.OPEN);
        assertThat(own.config().consecutiveFailures()).as("a name with its own config keeps it").isEqualTo(7);
        assertThat(breakers.get("later").config().consecutiveFailures()).as("created from the new default").isEqualTo(4);

        assertThat(breakers.useDefault("own")).isTrue();
        assertThat(own.config().consecutiveFailures()).isEqualTo(4);
        assertThat(breakers.useDefault("own")).as("nothing of its own left").isFalse();
        assertThat(breakers.defaultConfig().consecutiveFailures()).isEqualTo(4);
    }

    @Test
    void aListenerThatThrowsNeitherUndoesAChangeNorSilencesTheOthers() {
        PolicyRegistry<CircuitBreaker, CircuitBreakerConfig> breakers = CircuitBreakers.registry(CircuitBreakerConfig.defaults(), ticker);
        List<String> heard = new ArrayList<>();
        breakers.addListener(new PolicyRegistry.Listener<>() {
            @Override
            public void onAdded(String name, CircuitBreaker policy) {
                throw new IllegalStateException("faulty listener");
            }

            @Override
            public void onReconfigured(String name, CircuitBreaker policy, CircuitBreakerConfig config) {
                throw new IllegalStateException("faulty listener");
            }
        });
        breakers.addListener(new PolicyRegistry.Listener<>() {
            @Override
            public void onAdded(String name, CircuitBreaker policy) {
                heard.add("added " + name);
            }

            @Override
            public void onReconfigured(String name, CircuitBreaker policy, CircuitBreakerConfig config) {
                heard.add("reconfigured " + name);
            }
        });

        CircuitBreaker b = breakers.get("b");
        CircuitBreakerConfig seven = CircuitBreakerConfig.builder().consecutiveFailures(7).build();
        assertThat(breakers.apply("b", seven)).isSameAs(b);

        assertThat(b.config().consecutiveFailures()).isEqualTo(7);
        assertThat(breakers.ownConfig("b")).contains(seven);
        assertThat(breakers.ownConfig("other")).isEmpty();
        assertThat(heard).containsExactly("added b", "reconfigured b");
    }

    @Test
    void creationRacingADefaultChangeNeverKeepsTheOldDefault() throws Exception {
        for (int round = 0; round < 200; round++) {
            PolicyRegistry<CircuitBreaker, CircuitBreakerConfig> breakers = CircuitBreakers.registry(
                    CircuitBreakerConfig.builder().consecutiveFailures(2).build(), ticker);
            CircuitBreakerConfig changed = CircuitBreakerConfig.builder().consecutiveFailures(9).build();
            Thread creator = new Thread(() -> {
                for (int i = 0; i < 20; i++) {
                    breakers.get("b" + i);
                }
            });
            creator.start();
            breakers.applyDefault(changed);
            creator.join();
            for (int i = 0; i < 20; i++) {
                assertThat(breakers.get("b" + i).config().consecutiveFailures()).as("round %d, b%d", round, i).isEqualTo(9);
            }
        }
    }

    @Test
    void aCompatibleWindowIsKeptAcrossReconfiguration() {
        CircuitBreaker breaker = CircuitBreaker.builder("b").failureRate(50).countWindow(10).minimumCalls(4)
                .ticker(ticker).build();
        breaker.onFailure(breaker.tryAcquirePermission(), 1, new IOException());
        breaker.onSuccess(breaker.tryAcquirePermission(), 1);
        breaker.onSuccess(breaker.tryAcquirePermission(), 1);
        breaker.reconfigure(breaker.config().toBuilder().failureRate(40).build());
        assertThat(breaker.metrics().calls()).as("same window shape: kept").isEqualTo(3);
        breaker.onSuccess(breaker.tryAcquirePermission(), 1);
        breaker.onFailure(breaker.tryAcquirePermission(), 1, new IOException()); // 2 of 5 = 40 %
        assertThat(breaker.state()).isEqualTo(State.OPEN);

        CircuitBreaker other = CircuitBreaker.builder("c").failureRate(50).countWindow(10).ticker(ticker).build();
        other.onFailure(other.tryAcquirePermission(), 1, new IOException());
        other.reconfigure(other.config().toBuilder().countWindow(20).build());
        assertThat(other.metrics().calls()).as("a different window shape starts afresh").isZero();
    }

    @Test
    void registryCreatesFromPerNameConfigListsAndRemoves() {
        PolicyRegistry<CircuitBreaker, CircuitBreakerConfig> breakers =
                CircuitBreakers.registry(CircuitBreakerConfig.defaults(), ticker);
        List<String> events = new ArrayList<>();
        breakers.addListener(new PolicyRegistry.Listener<>() {
            @Override
            public void onAdded(String name, CircuitBreaker policy) {
                events.add("added " + name);
            }

            @Override
            public void onReconfigured(String name, CircuitBreaker policy, CircuitBreakerConfig config) {
                events.add("reconfigured " + name);
            }

            @Override
            public void onRemoved(String name, CircuitBreaker policy) {
                events.add("removed " + name);
            }
        });
        CircuitBreakerConfig strict = CircuitBreakerConfig.builder().consecutiveFailures(1).build();
        breakers.configure("http:payment-api", strict);
        assertThat(breakers.get("http:payment-api").config()).isSameAs(strict);
        assertThat(breakers.get("grpc:order-service").config()).isSameAs(CircuitBreakerConfig.defaults());
        assertThat(breakers.get("grpc:order-service")).isSameAs(breakers.get("grpc:order-service"));
        assertThat(breakers.names()).containsExactly("grpc:order-service", "http:payment-api");
        breakers.apply("grpc:order-service", strict);
        assertThat(breakers.remove("http:payment-api")).isTrue();
        assertThat(breakers.remove("http:payment-api")).isFalse();
        assertThat(breakers.find("http:payment-api")).isEmpty();
        assertThat(events).containsExactly("added http:payment-api", "added grpc:order-service",
                "reconfigured grpc:order-service", "removed http:payment-api");
    }
}
