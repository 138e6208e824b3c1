package dev.bulwark.call;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.CallContext;
import dev.bulwark.balance.LoadBalancers;
import dev.bulwark.balance.Strategy;
import dev.bulwark.breaker.CircuitBreakerConfig;
import dev.bulwark.breaker.State;
import dev.bulwark.retry.Backoff;
import dev.bulwark.retry.Retry;
import dev.bulwark.testing.FakeTicker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ClientPoolTest {
    private final FakeTicker ticker = new FakeTicker();

    /** A client that answers with its own name, or fails while told to. */
    static final class Backend {
        final String name;
        volatile boolean failing;
        int calls;

        Backend(String name) {
            this.name = name;
        }

        String get() {
            calls++;
            if (failing) {
                throw new IllegalStateException(name + " is down");
            }
            return name;
        }
    }

    private ClientPool.Builder<Backend> pool() {
        return ClientPool.<Backend>builder("users").ticker(ticker)
                .breaker(CircuitBreakerConfig.builder().consecutiveFailures(1).openFor(Duration.ofSeconds(30)).build());
    }

    @Test
    void aCallGetsTheChosenClientItsEndpointAndTheContext() {
        ClientPool<Backend> pool = pool().build();
        pool.add("a", new Backend("a"), 3, Map.of("zone", "eu-1"), CircuitBreakerConfig.defaults());
        CallContext.Key<String> tenant = CallContext.key("tenant");
        List<String> seen = new ArrayList<>();
        String result = pool.call(CallContext.none().with(tenant, "acme"), (client, endpoint, context) -> {
            seen.add(endpoint.name() + " " + endpoint.weight() + " " + endpoint.metadata().get("zone") + " " + context.get(tenant));
            return client.get();
        });
        assertThat(result).isEqualTo("a");
        assertThat(seen).containsExactly("a 3 eu-1 acme");
        assertThat(pool.endpoint("a").orElseThrow().stats().successes()).isEqualTo(1);
    }

    @Test
    void endpointsWhoseBreakerIsOpenAreSkipped() {
        ClientPool<Backend> pool = pool().build();
        Backend a = new Backend("a");
        Backend b = new Backend("b");
        pool.add("a", a);
        pool.add("b", b);
        a.failing = true;
        Map<String, Integer> answers = new HashMap<>();
        for (int i = 0; i < 20; i++) {
            try {
                answers.merge(pool.call((client, endpoint, context) -> client.get()), 1, Integer::sum);
            } catch (IllegalStateException expected) {
                answers.merge("error", 1, Integer::sum);
            }
        }
        assertThat(pool.endpoint("a").orElseThrow().breaker().state()).isEqualTo(State.OPEN);
        assertThat(a.calls).as("one failure opened a's breaker; no call after").isEqualTo(1);
        assertThat(answers).containsEntry("b", 19).containsEntry("error", 1);
    }

    @Test
    void whenEveryBreakerIsOpenTheCallFailsFastNamingThem() {
        ClientPool<Backend> pool = pool().build();
        for (String name : List.of("a", "b")) {
            Backend backend = new Backend(name);
            backend.failing = true;
            pool.add(name, backend);
        }
        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> pool.call((client, endpoint, context) -> client.get()))
                    .isInstanceOf(IllegalStateException.class);
        }
        assertThatThrownBy(() -> pool.call((client, endpoint, context) -> client.get()))
                .isInstanceOfSatisfying(NoEndpointAvailableException.class,
                        e -> assertThat(e.endpoints()).containsExactly("a (OPEN)", "b (OPEN)"))
                .hasMessage("pool 'users' has no endpoint available: a (OPEN), b (OPEN)");
    }

    @Test
    void panicModeCallsAnEndpointAnywayWhenAllAreOpen() {
        ClientPool<Backend> pool = pool().panicMode(true).build();
        Backend a = new Backend("a");
        pool.add("a", a);
        a.failing = true;
        assertThatThrownBy(() -> pool.call((client, endpoint, context) -> client.get()));
        a.failing = false;
        assertThat(pool.endpoint("a").orElseThrow().breaker().state()).isEqualTo(State.OPEN);
        String answer = pool.call((client, endpoint, context) -> client.get());
        assertThat(answer).isEqualTo("a");
        assertThat(a.calls).isEqualTo(2);
    }

    @Test
    void anEmptyPoolSaysSo() {
        ClientPool<Backend> pool = pool().build();
        assertThatThrownBy(() -> pool.call((client, endpoint, context) -> client.get()))
                .isInstanceOf(NoEndpointAvailableException.class).hasMessage("pool 'users' has no endpoints");
    }

    @Test
    void aFailedAttemptFailsOverToAnotherEndpoint() {
        ClientPool<Backend> pool = pool()
                .breaker(CircuitBreakerConfig.builder().consecutiveFailures(10).build())
                .retry(Retry.builder("users").maxAttempts(2).backoff(Backoff.none()).build())
                .build();
        Backend a = new Backend("a");
        Backend b = new Backend("b");
        pool.add("a", a);
        pool.add("b", b);
        a.failing = true;
        List<String> attempts = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            String answer = pool.call((client, endpoint, context) -> {
                attempts.add(endpoint.name());
                return client.get();
            });
            assertThat(answer).isEqualTo("b");
        }
        assertThat(a.calls).as("each call tried a at most once").isLessThanOrEqualTo(6);
        assertThat(pool.endpoint("a").orElseThrow().stats().failures()).isEqualTo(a.calls);
        // Whenever a failed, the very next attempt went elsewhere.
        for (int i = 0; i + 1 < attempts.size(); i++) {
            if (attempts.get(i).equals("a")) {
                assertThat(attempts.get(i + 1)).isEqualTo("b");
            }
        }
    }

    @Test
    void aCallMayNameItsOwnBalancer() {
        ClientPool<Backend> pool = pool().build();
        for (String name : List.of("a", "b", "c", "d")) {
            pool.add(name, new Backend(name));
        }
        Set<String> roundRobin = new HashSet<>();
        for (int i = 0; i < 4; i++) {
            roundRobin.add(pool.call((client, endpoint, context) -> client.get()));
        }
        assertThat(roundRobin).hasSize(4);
        CallContext sticky = CallContext.none().with(ClientPool.BALANCER, "consistent-hash")
                .with(LoadBalancers.HASH_KEY, "user-42");
        Set<String> hashed = new HashSet<>();
        for (int i = 0; i < 10; i++) {
            hashed.add(pool.call(sticky, (client, endpoint, context) -> client.get()));
        }
        assertThat(hashed).hasSize(1);
    }

    @Test
    void reweightingChangesTheSharesLive() {
        ClientPool<Backend> pool = pool().balancer(Strategy.WEIGHTED_ROUND_ROBIN.create()).build();
        pool.add("a", new Backend("a"), 1);
        pool.add("b", new Backend("b"), 1);
        Map<String, Integer> before = shares(pool, 100);
        assertThat(before).containsEntry("a", 50).containsEntry("b", 50);
        assertThat(pool.reweight("a", 3)).isTrue();
        Map<String, Integer> after = shares(pool, 100);
        assertThat(after).containsEntry("a", 75).containsEntry("b", 25);
        assertThat(pool.reweight("missing", 2)).isFalse();
    }

    private static Map<String, Integer> shares(ClientPool<Backend> pool, int calls) {
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < calls; i++) {
            counts.merge(pool.call((client, endpoint, context) -> client.get()), 1, Integer::sum);
        }
        return counts;
    }

    @Test
    void checkedExceptionsFromTheCallComeOutWrappedOnce() {
        ClientPool<Backend> pool = pool().build();
        pool.add("a", new Backend("a"));
        assertThatThrownBy(() -> pool.call((client, endpoint, context) -> {
            throw new java.io.IOException("socket closed");
        })).isInstanceOf(dev.bulwark.CallFailedException.class).hasCauseInstanceOf(java.io.IOException.class);
    }
}
