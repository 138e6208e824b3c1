package dev.bulwark.call;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.breaker.State;
import dev.bulwark.ratelimit.RateLimitedException;
import dev.bulwark.ratelimit.TokenBucket;
import dev.bulwark.testing.FakeTicker;
import dev.bulwark.testing.VirtualScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Stages of one's own in a pool's chain, and the general-use built-ins. */
class StageChainTest {

    private static Stage named(String name, List<String> log) {
        return invocation -> {
            log.add(name + " in (" + invocation.chain() + "/" + invocation.endpoint().name() + ", attempt " + invocation.attempt() + ")");
            try {
                return invocation.proceed();
            } finally {
                log.add(name + " out");
            }
        };
    }

    @Test
    void registrationOrderIsNestingOrderFirstOutermost() {
        List<String> log = new ArrayList<>();
        ClientPool<String> pool = ClientPool.<String>builder("p")
                .stage(named("recover", log)).stage(named("tracing", log)).stage(named("metrics", log))
                .build();
        pool.add("e", "client");
        String result = pool.call((client, endpoint, context) -> {
            log.add("call");
            return client;
        });
        assertThat(result).isEqualTo("client");
        assertThat(log).containsExactly("recover in (p/e, attempt 1)", "tracing in (p/e, attempt 1)",
                "metrics in (p/e, attempt 1)", "call", "metrics out", "tracing out", "recover out");
    }

    @Test
    void aStageCanAnswerWithoutProceeding() {
        ClientPool<String> pool = ClientPool.<String>builder("p").stage(invocation -> "cached").build();
        pool.add("e", "client");
        List<String> calls = new ArrayList<>();
        Object answer = pool.call((client, endpoint, context) -> {
            calls.add("reached");
            return client;
        });
        assertThat(answer).isEqualTo("cached");
        assertThat(calls).isEmpty();
    }

    @Test
    void recoverTurnsUnexpectedErrorsIntoOneTypedErrorAndLetsExpectedOnesThrough() {
        ClientPool<String> pool = ClientPool.<String>builder("p").stage(Stages.recover()).build();
        pool.add("e", "client");
        assertThatThrownBy(() -> pool.call((client, endpoint, context) -> {
            Object nothing = null;
            return nothing.toString();
        })).isInstanceOfSatisfying(RecoveredException.class, e -> assertThat(e.endpoint()).isEqualTo("e"))
                .hasCauseInstanceOf(NullPointerException.class)
                .hasMessageContaining("of 'p'").hasMessageContaining("'e'");
        assertThatThrownBy(() -> pool.call((client, endpoint, context) -> {
            throw new StackOverflowError("deep");
        })).as("virtual-machine errors are never swallowed").isInstanceOf(StackOverflowError.class);
        assertThatThrownBy(() -> pool.call((client, endpoint, context) -> {
            throw new java.io.IOException("expected");
        })).hasCauseInstanceOf(java.io.IOException.class).isNotInstanceOf(RecoveredException.class);
    }

    @Test
    void aRateLimiterInsideThePickRejectsWithoutTrippingTheEndpointsBreaker() {
        VirtualScheduler scheduler = new VirtualScheduler();
        TokenBucket limiter = TokenBucket.builder("p").permitsPerSecond(1).burst(2).scheduler(scheduler).build();
        ClientPool<String> pool = ClientPool.<String>builder("p").ticker(scheduler.ticker())
                .stage(Stages.rateLimiter(limiter, Duration.ZERO)).build();
        pool.add("e", "client");
        pool.call((client, endpoint, context) -> client);
        pool.call((client, endpoint, context) -> client);
        for (int i = 0; i < 10; i++) {
            assertThatThrownBy(() -> pool.call((client, endpoint, context) -> client)).isInstanceOf(RateLimitedException.class);
        }
        assertThat(pool.endpoint("e").orElseThrow().breaker().state()).as("a rejection is not the endpoint's failure")
                .isEqualTo(State.CLOSED);
        scheduler.advance(Duration.ofSeconds(1));
        assertThat((Object) pool.call((client, endpoint, context) -> client)).isEqualTo("client");
    }

    @Test
    void aRateLimiterStageWaitsUpToItsLimit() {
        VirtualScheduler scheduler = new VirtualScheduler();
        TokenBucket limiter = TokenBucket.builder("p").permitsPerSecond(10).burst(1).scheduler(scheduler).build();
        ClientPool<String> pool = ClientPool.<String>builder("p").ticker(scheduler.ticker())
                .stage(Stages.rateLimiter(limiter, Duration.ofMillis(150))).build();
        pool.add("e", "client");
        pool.call((client, endpoint, context) -> client);
        pool.call((client, endpoint, context) -> client);
        assertThat(scheduler.sleeps()).containsExactly(Duration.ofMillis(100).toNanos());
    }

    @Test
    void metricsStageReportsOutcomeVerdictAndDuration() {
        FakeTicker ticker = new FakeTicker();
        List<String> recorded = new ArrayList<>();
        ClientPool<String> pool = ClientPool.<String>builder("p")
                .breaker(dev.bulwark.breaker.CircuitBreakerConfig.builder().consecutiveFailures(5)
                        .classifier(dev.bulwark.FailureClassifier.builder().failOnResult(r -> "503".equals(r)).build()).build())
                .stage(Stages.metrics((p, endpoint, verdict, error, nanos) -> recorded.add(p + "/" + endpoint + " " + verdict
                        + " " + (error == null ? "ok" : error.getMessage()) + " " + nanos), ticker))
                .build();
        pool.add("e", "client");
        pool.call((client, endpoint, context) -> {
            ticker.advance(7);
            return client;
        });
        assertThatThrownBy(() -> pool.call((client, endpoint, context) -> {
            ticker.advance(3);
            throw new IllegalStateException("boom");
        }));
        pool.call((client, endpoint, context) -> "503");
        assertThat(recorded).as("a returned 503 is a failure by the pool's classifier")
                .containsExactly("p/e SUCCESS ok 7", "p/e FAILURE boom 3", "p/e FAILURE ok 0");
    }
}
