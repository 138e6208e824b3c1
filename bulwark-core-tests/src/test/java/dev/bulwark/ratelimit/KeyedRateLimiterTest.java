package dev.bulwark.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.InvalidConfigException;
import dev.bulwark.testing.FakeTicker;
import dev.bulwark.testing.VirtualScheduler;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class KeyedRateLimiterTest {
    private static final Duration IDLE = Duration.ofMinutes(10);

    private final FakeTicker ticker = new FakeTicker();
    /** Shares the ticker, so the per-key buckets and the idle expiry see the same time. */
    private final VirtualScheduler scheduler = new VirtualScheduler(ticker);
    private final Map<String, AtomicInteger> created = new ConcurrentHashMap<>();

    /** Each key: 1 permit per hour, burst 2, so a drained bucket stays drained through the tests. */
    private KeyedRateLimiter<String> keyed(long maxKeys) {
        return KeyedRateLimiter.<String>builder("per-user")
                .limiter(user -> {
                    created.computeIfAbsent(user, k -> new AtomicInteger()).incrementAndGet();
                    return TokenBucket.builder("user:" + user).rate(1, Duration.ofHours(1)).burst(2)
                            .scheduler(scheduler).build();
                })
                .maxKeys(maxKeys)
                .expireAfterIdle(IDLE)
                .ticker(ticker)
                .executor(Runnable::run)
                .build();
    }

    private int creations(String key) {
        AtomicInteger count = created.get(key);
        return count == null ? 0 : count.get();
    }

    @Test
    void eachKeyHasItsOwnLimiter() {
        KeyedRateLimiter<String> limiter = keyed(100);

        assertThat(limiter.tryAcquire("alice")).isTrue();
        assertThat(limiter.tryAcquire("alice")).isTrue();
        assertThat(limiter.tryAcquire("alice")).as("alice used her burst").isFalse();

        assertThat(limiter.tryAcquire("bob")).as("bob is not affected by alice").isTrue();
        assertThat(limiter.tryAcquire("bob")).isTrue();
        assertThat(limiter.tryAcquire("bob")).isFalse();

        assertThat(limiter.limiterFor("alice")).isNotSameAs(limiter.limiterFor("bob"));
        assertThat(limiter.limiterFor("alice").name()).isEqualTo("user:alice");
        assertThat(limiter.size()).isEqualTo(2);
    }

    @Test
    void theLimiterOfAKeyIsCreatedOnceAndReused() {
        KeyedRateLimiter<String> limiter = keyed(100);

        RateLimiter first = limiter.limiterFor("alice");
        limiter.tryAcquire("alice");
        limiter.tryAcquire("alice", 1, Duration.ZERO);

        assertThat(limiter.limiterFor("alice")).isSameAs(first);
        assertThat(creations("alice")).isEqualTo(1);
    }

    @Test
    void tryAcquireWithWaitUsesTheKeysLimiterAndWaitsOnItsScheduler() {
        KeyedRateLimiter<String> limiter = keyed(100);
        limiter.tryAcquire("alice");
        limiter.tryAcquire("alice");

        assertThat(limiter.tryAcquire("alice", 1, Duration.ofMinutes(59))).isFalse();
        assertThat(scheduler.sleeps()).isEmpty();
        assertThat(limiter.tryAcquire("alice", 1, Duration.ofHours(1))).isTrue();
        assertThat(scheduler.sleeps()).containsExactly(Duration.ofHours(1).toNanos());
        assertThat(limiter.tryAcquire("bob", 2, Duration.ZERO)).isTrue();
    }

    @Test
    void anIdleKeyIsEvictedAndComesBackWithAFreshLimiter() {
        KeyedRateLimiter<String> limiter = keyed(100);
        limiter.tryAcquire("alice");
        limiter.tryAcquire("alice");
        assertThat(limiter.tryAcquire("alice")).isFalse();
        RateLimiter drained = limiter.limiterFor("alice");

        ticker.advance(IDLE.plusSeconds(1));
        limiter.cleanUp();

        assertThat(limiter.size()).isZero();
        assertThat(limiter.tryAcquire("alice")).as("a returning key starts full").isTrue();
        assertThat(limiter.tryAcquire("alice")).isTrue();
        assertThat(limiter.tryAcquire("alice")).isFalse();
        assertThat(limiter.limiterFor("alice")).isNotSameAs(drained);
        assertThat(creations("alice")).isEqualTo(2);
    }

    @Test
    void useKeepsAKeyFromExpiring() {
        KeyedRateLimiter<String> limiter = keyed(100);
        limiter.tryAcquire("alice");
        limiter.tryAcquire("alice");
        limiter.tryAcquire("bob");

        for (int i = 0; i < 5; i++) { // 5 × 6 min: alice is used every 6 minutes, bob never again
            ticker.advance(Duration.ofMinutes(6));
            assertThat(limiter.tryAcquire("alice")).as("alice keeps her drained bucket").isFalse();
            limiter.cleanUp();
        }

        assertThat(limiter.size()).isEqualTo(1);
        assertThat(creations("alice")).isEqualTo(1);
        assertThat(limiter.tryAcquire("bob")).isTrue();
        assertThat(creations("bob")).isEqualTo(2);
    }

    @Test
    void aKeyUsedJustWithinTheIdleLimitIsKept() {
        KeyedRateLimiter<String> limiter = keyed(100);
        limiter.tryAcquire("alice");
        limiter.tryAcquire("alice");

        ticker.advance(IDLE.minusNanos(1));
        limiter.cleanUp();

        assertThat(limiter.size()).isEqualTo(1);
        assertThat(limiter.tryAcquire("alice")).isFalse();
        assertThat(creations("alice")).isEqualTo(1);
    }

    @Test
    void atMostMaxKeysAreHeld() {
        KeyedRateLimiter<String> limiter = keyed(3);

        for (int i = 0; i < 20; i++) {
            limiter.tryAcquire("user" + i);
            limiter.cleanUp();
            assertThat(limiter.size()).isLessThanOrEqualTo(3);
        }
        assertThat(limiter.size()).isEqualTo(3);
    }

    @Test
    void aKeyEvictedForSpaceComesBackWithAFreshLimiter() {
        KeyedRateLimiter<String> limiter = keyed(1);
        List<String> keys = List.of("alice", "bob");
        for (String key : keys) {
            limiter.tryAcquire(key);
            limiter.tryAcquire(key);
        }
        limiter.cleanUp();
        assertThat(limiter.size()).isEqualTo(1);

        // Caffeine picks the victim by recency and frequency; whichever key went, it must start full.
        String evicted = null;
        for (String key : keys) {
            boolean admitted = limiter.tryAcquire(key);
            limiter.cleanUp();
            if (admitted) {
                assertThat(creations(key)).as("%s admitted, so it must have a new limiter", key).isEqualTo(2);
                evicted = key;
                break;
            }
            assertThat(creations(key)).as("%s refused, so it kept its drained limiter", key).isEqualTo(1);
        }
        assertThat(evicted).as("one of the two keys was evicted and came back fresh").isNotNull();
    }

    @Test
    void rejectionNamesTheLimiterTheKeyAndTheKeysLimit() {
        KeyedRateLimiter<String> limiter = keyed(100);
        limiter.tryAcquire("alice");
        limiter.tryAcquire("alice");
        ticker.advance(Duration.ofMinutes(5)); // within the idle limit: alice keeps her drained bucket

        RateLimitedException rejection = limiter.rejection("alice");

        assertThat(rejection.policyName()).isEqualTo("per-user[alice]");
        assertThat(rejection.getMessage()).contains("'per-user[alice]'").contains("user:alice").contains("burst 2");
        assertThat(rejection.retryAfterNanos()).isEqualTo(limiter.limiterFor("alice").nanosUntilPermit())
                .isEqualTo(Duration.ofMinutes(55).toNanos());
    }

    @Test
    void aNullKeyIsRejected() {
        KeyedRateLimiter<String> limiter = keyed(100);

        assertThatThrownBy(() -> limiter.tryAcquire(null))
                .isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("key").hasMessageContaining("null").hasMessageContaining("allowed");
        assertThat(limiter.size()).isZero();
    }

    @Test
    void worksWithSlidingWindowLimitersToo() {
        KeyedRateLimiter<Integer> limiter = KeyedRateLimiter.<Integer>builder("per-tenant")
                .limiter(tenant -> SlidingWindowLimiter.builder("tenant:" + tenant).limit(tenant, Duration.ofSeconds(1))
                        .scheduler(scheduler).build())
                .ticker(ticker).executor(Runnable::run).build();

        int admittedFor3 = 0;
        int admittedFor5 = 0;
        for (int i = 0; i < 10; i++) {
            admittedFor3 += limiter.tryAcquire(3) ? 1 : 0;
            admittedFor5 += limiter.tryAcquire(5) ? 1 : 0;
        }

        assertThat(admittedFor3).isEqualTo(3);
        assertThat(admittedFor5).isEqualTo(5);
        assertThat(limiter.name()).isEqualTo("per-tenant");
    }
}
