package dev.bulwark.call;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.CallContext;
import dev.bulwark.InvalidConfigException;
import dev.bulwark.breaker.BreakerOpenException;
import dev.bulwark.breaker.CircuitBreaker;
import dev.bulwark.breaker.State;
import dev.bulwark.bulkhead.Bulkhead;
import dev.bulwark.bulkhead.BulkheadConfig;
import dev.bulwark.fallback.Fallback;
import dev.bulwark.fallback.StaleCache;
import dev.bulwark.ratelimit.RateLimitedException;
import dev.bulwark.ratelimit.TokenBucket;
import dev.bulwark.retry.Backoff;
import dev.bulwark.retry.Retry;
import dev.bulwark.testing.VirtualScheduler;
import dev.bulwark.timeout.Timeout;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PipelineTest {
    private final VirtualScheduler scheduler = new VirtualScheduler();

    private CircuitBreaker breaker(int failures) {
        return CircuitBreaker.builder("dep").consecutiveFailures(failures).openFor(Duration.ofSeconds(30))
                .ticker(scheduler.ticker()).build();
    }

    @Test
    void defaultOrderIsTheDocumentedOneWhateverTheOrderOfAdding() {
        Pipeline<String> pipeline = Pipeline.<String>builder("p")
                .timeout(Timeout.of("t", Duration.ofSeconds(1), scheduler))
                .circuitBreaker(breaker(5))
                .bulkhead(Bulkhead.of("b", BulkheadConfig.of(2)))
                .rateLimiter(TokenBucket.builder("l").permitsPerSecond(10).scheduler(scheduler).build())
                .retry(Retry.builder("r").scheduler(scheduler).build())
                .fallback(Fallback.value("fallback"))
                .build();
        assertThat(pipeline.stages()).containsExactly("FALLBACK", "retry 'r'", "rate limiter 'l'", "bulkhead 'b'",
                "circuit breaker 'dep'", "timeout 't'");
        assertThat(pipeline.warnings()).isEmpty();
        String answer = pipeline.call(() -> "real");
        assertThat(answer).isEqualTo("real");
    }

    @Test
    void everyRetryAttemptIsSeenByTheBreakerAndTheRateLimiter() {
        CircuitBreaker breaker = breaker(3);
        TokenBucket limiter = TokenBucket.builder("l").permitsPerSecond(1).burst(10).scheduler(scheduler).build();
        AtomicInteger calls = new AtomicInteger();
        Pipeline<Object> pipeline = Pipeline.<Object>builder("p")
                .retry(Retry.builder("r").maxAttempts(3).backoff(Backoff.none()).scheduler(scheduler).build())
                .rateLimiter(limiter)
                .circuitBreaker(breaker)
                .build();
        assertThatThrownBy(() -> pipeline.call(() -> {
            calls.incrementAndGet();
            throw new UncheckedIOException(new IOException("down"));
        }));
        assertThat(calls).hasValue(3);
        assertThat(breaker.state()).as("three attempts = three failures").isEqualTo(State.OPEN);
        assertThat(limiter.availablePermits()).as("three permits taken").isEqualTo(7);
    }

    @Test
    void fallbackAnswersRejectionsFromInnerPolicies() {
        CircuitBreaker breaker = breaker(1);
        breaker.forceOpen();
        List<Throwable> seen = new ArrayList<>();
        Pipeline<String> pipeline = Pipeline.<String>builder("p")
                .circuitBreaker(breaker)
                .fallback(Fallback.of(error -> {
                    seen.add(error);
                    return "degraded";
                }))
                .build();
        String answer = pipeline.call(() -> "real");
        assertThat(answer).isEqualTo("degraded");
        assertThat(seen).singleElement().isInstanceOf(BreakerOpenException.class);
    }

    @Test
    void staleCacheServesTheLastGoodValuePerKeyWhenTheCallFails() {
        StaleCache<String, String> cache = StaleCache.<String, String>builder("profiles")
                .maxStaleness(Duration.ofMinutes(5)).ticker(scheduler.ticker()).executor(Runnable::run).build();
        CallContext.Key<String> user = CallContext.key("user");
        Pipeline<String> pipeline = Pipeline.<String>builder("p")
                .circuitBreaker(breaker(100))
                .staleCache(cache, context -> context.get(user))
                .build();
        CallContext alice = CallContext.none().with(user, "alice");
        String fresh = pipeline.call(alice, () -> "alice v1");
        assertThat(fresh).isEqualTo("alice v1");
        String stale = pipeline.call(alice, () -> {
            throw new UncheckedIOException(new IOException("down"));
        });
        assertThat(stale).isEqualTo("alice v1");
        CallContext bob = CallContext.none().with(user, "bob");
        assertThatThrownBy(() -> pipeline.call(bob, () -> {
            throw new UncheckedIOException(new IOException("down"));
        })).isInstanceOf(UncheckedIOException.class);
        assertThat(cache.stats().staleServes()).isEqualTo(1);
        assertThat(cache.stats().misses()).isEqualTo(1);
    }

    @Test
    void explicitOrderIsHonouredAndBadOrdersAreReported() {
        Pipeline<String> pipeline = Pipeline.<String>builder("p")
                .stages(Stages.bulkhead(Bulkhead.of("b", BulkheadConfig.of(1))), Stages.circuitBreaker(breaker(5)),
                        Stages.retry(Retry.builder("r").scheduler(scheduler).build()), Stages.fallback(Fallback.value("x")))
                .build();
        assertThat(pipeline.stages()).containsExactly("bulkhead 'b'", "circuit breaker 'dep'", "retry 'r'", "FALLBACK");
        assertThat(pipeline.warnings()).anyMatch(w -> w.startsWith("RETRY inside CIRCUIT_BREAKER"))
                .anyMatch(w -> w.startsWith("BULKHEAD outside RETRY"))
                .anyMatch(w -> w.startsWith("BULKHEAD outside FALLBACK"))
                .anyMatch(w -> w.startsWith("CIRCUIT_BREAKER outside FALLBACK"));
    }

    @Test
    void anOrderOfOnesOwnIsNotMixedWithTheSettersAndHasNoPick() {
        assertThatThrownBy(() -> Pipeline.<String>builder("p").retry(Retry.builder("r").build())
                .stages(Stages.timeout(Timeout.of("t", Duration.ofSeconds(1)))).build())
                .isInstanceOf(InvalidConfigException.class).hasMessageContaining("not both");
        assertThatThrownBy(() -> Pipeline.<String>builder("p").stages(Stages.pick()).build())
                .isInstanceOf(InvalidConfigException.class).hasMessageContaining("no Stages.pick() in a pipeline");
        assertThatThrownBy(() -> Pipeline.<String>builder("p").retry(Retry.builder("a").build()).retry(Retry.builder("b").build()))
                .isInstanceOf(InvalidConfigException.class).hasMessageContaining("one RETRY per chain");
    }

    @Test
    void rateLimitRejectionsReachTheCallerWhenNothingAnswersThem() {
        TokenBucket limiter = TokenBucket.builder("l").permitsPerSecond(1).burst(1).scheduler(scheduler).build();
        Pipeline<Object> pipeline = Pipeline.<Object>builder("p").rateLimiter(limiter).build();
        Object first = pipeline.call(() -> "first");
        assertThat(first).isEqualTo("first");
        assertThatThrownBy(() -> pipeline.call(() -> "second")).isInstanceOf(RateLimitedException.class);
        scheduler.advance(Duration.ofSeconds(1));
        Object third = pipeline.call(() -> "third");
        assertThat(third).isEqualTo("third");
    }

    @Test
    void asyncCallsGoThroughTheSamePolicies() {
        CircuitBreaker breaker = breaker(2);
        Bulkhead bulkhead = Bulkhead.of("b", BulkheadConfig.of(1));
        AtomicInteger calls = new AtomicInteger();
        Pipeline<String> pipeline = Pipeline.<String>builder("p")
                .retry(Retry.builder("r").maxAttempts(2).backoff(Backoff.fixed(Duration.ofSeconds(1))).scheduler(scheduler).build())
                .bulkhead(bulkhead)
                .circuitBreaker(breaker)
                .fallback(Fallback.value("fallback"))
                .build();
        CompletableFuture<String> result = pipeline.callAsync(() -> {
            calls.incrementAndGet();
            return CompletableFuture.failedFuture(new IOException("down"));
        });
        assertThat(result).isNotDone();
        assertThat(bulkhead.inFlight()).as("no permit held during backoff").isZero();
        scheduler.advance(Duration.ofSeconds(1));
        assertThat(result).isCompletedWithValue("fallback");
        assertThat(calls).hasValue(2);
        assertThat(breaker.state()).isEqualTo(State.OPEN);
    }

    @Test
    void checkedExceptionsFromTheTaskAreWrappedOnceAndClassified() {
        Pipeline<Object> pipeline = Pipeline.<Object>builder("p").circuitBreaker(breaker(1)).build();
        assertThatThrownBy(() -> pipeline.call(() -> {
            throw new IOException("checked");
        })).isInstanceOf(dev.bulwark.CallFailedException.class).hasCauseInstanceOf(IOException.class);
    }
}
