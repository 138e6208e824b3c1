package dev.bulwark.fallback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.CallFailedException;
import dev.bulwark.testing.FakeTicker;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class StaleCacheTest {
    private static final Duration MAX_STALENESS = Duration.ofMinutes(5);

    private final FakeTicker ticker = new FakeTicker();
    private final AtomicInteger loaderCalls = new AtomicInteger();

    private StaleCache<String, String> cache() {
        return StaleCache.<String, String>builder("profiles").maxStaleness(MAX_STALENESS)
                .ticker(ticker).executor(Runnable::run).build();
    }

    private Callable<String> returns(String value) {
        return () -> {
            loaderCalls.incrementAndGet();
            return value;
        };
    }

    private Callable<String> fails(Exception error) {
        return () -> {
            loaderCalls.incrementAndGet();
            throw error;
        };
    }

    @Test
    void aSuccessIsReturnedAndRemembered() {
        StaleCache<String, String> cache = cache();

        assertThat(cache.call("alice", returns("v1"))).isEqualTo("v1");

        assertThat(cache.lastGood("alice")).contains("v1");
        assertThat(cache.stats()).isEqualTo(new StaleCacheStats(0, 1, 0, 0));
        assertThat(cache.name()).isEqualTo("profiles");
    }

    @Test
    void withoutFreshForEveryCallGoesToTheLoader() {
        StaleCache<String, String> cache = cache();

        cache.call("alice", returns("v1"));
        assertThat(cache.call("alice", returns("v2"))).isEqualTo("v2");

        assertThat(loaderCalls).hasValue(2);
        assertThat(cache.lastGood("alice")).contains("v2");
        assertThat(cache.stats().hits()).isZero();
    }

    @Test
    void aFailureWithinMaxStalenessIsAnsweredWithTheLastGoodValue() {
        StaleCache<String, String> cache = cache();
        cache.call("alice", returns("v1"));
        ticker.advance(MAX_STALENESS.minusSeconds(1));

        assertThat(cache.call("alice", fails(new IOException("down")))).isEqualTo("v1");

        assertThat(cache.stats()).isEqualTo(new StaleCacheStats(0, 2, 1, 0));
    }

    @Test
    void aFailurePastMaxStalenessPropagatesAndCountsAMiss() {
        StaleCache<String, String> cache = cache();
        cache.call("alice", returns("v1"));
        ticker.advance(MAX_STALENESS.plusNanos(1));
        IllegalStateException down = new IllegalStateException("down");

        assertThatThrownBy(() -> cache.call("alice", fails(down))).isSameAs(down);

        assertThat(cache.lastGood("alice")).isEmpty();
        assertThat(cache.stats()).isEqualTo(new StaleCacheStats(0, 2, 0, 1));
    }

    @Test
    void aCheckedFailureWithNothingToServePropagatesWrapped() {
        StaleCache<String, String> cache = cache();
        IOException down = new IOException("down");

        assertThatThrownBy(() -> cache.call("alice", fails(down))).isInstanceOf(CallFailedException.class).hasCause(down);

        assertThat(cache.stats()).isEqualTo(new StaleCacheStats(0, 1, 0, 1));
    }

    /**
     * A value exactly maxStaleness old is still served: "not older than maxStaleness" includes
     * the bound, so the cache behind it must not expire the entry at that instant.
     */
    @Test
    void aValueExactlyMaxStalenessOldIsStillServed() {
        StaleCache<String, String> cache = cache();
        cache.call("alice", returns("v1"));
        ticker.advance(MAX_STALENESS);

        assertThat(cache.lastGood("alice")).contains("v1");
        assertThat(cache.call("alice", fails(new IOException("down")))).isEqualTo("v1");
    }

    @Test
    void staleServesKeepTheOriginalAgeSoTheyStopAtMaxStaleness() {
        StaleCache<String, String> cache = cache();
        cache.call("alice", returns("v1"));

        ticker.advance(Duration.ofMinutes(3));
        assertThat(cache.call("alice", fails(new IOException()))).isEqualTo("v1");
        ticker.advance(Duration.ofMinutes(3)); // 6 minutes old: a stale serve does not refresh it
        assertThatThrownBy(() -> cache.call("alice", fails(new IllegalStateException("down"))))
                .hasMessage("down");

        assertThat(cache.stats()).isEqualTo(new StaleCacheStats(0, 3, 1, 1));
    }

    @Test
    void aNewSuccessRestartsTheStalenessClock() {
        StaleCache<String, String> cache = cache();
        cache.call("alice", returns("v1"));
        ticker.advance(Duration.ofMinutes(4));
        cache.call("alice", returns("v2"));
        ticker.advance(Duration.ofMinutes(4)); // v1 would be 8 minutes old; v2 is 4

        assertThat(cache.call("alice", fails(new IOException()))).isEqualTo("v2");
    }

    @Test
    void keysAreIndependent() {
        StaleCache<String, String> cache = cache();
        cache.call("alice", returns("a1"));
        IllegalStateException down = new IllegalStateException("down");

        assertThatThrownBy(() -> cache.call("bob", fails(down))).isSameAs(down);
        assertThat(cache.call("alice", fails(down))).isEqualTo("a1");
        assertThat(cache.stats()).isEqualTo(new StaleCacheStats(0, 3, 1, 1));
    }

    @Test
    void freshForServesYoungValuesWithoutCallingTheLoader() {
        StaleCache<String, String> cache = StaleCache.<String, String>builder("profiles").maxStaleness(MAX_STALENESS)
                .freshFor(Duration.ofSeconds(10)).ticker(ticker).executor(Runnable::run).build();
        cache.call("alice", returns("v1"));

        ticker.advance(Duration.ofSeconds(10).minusNanos(1));
        assertThat(cache.call("alice", returns("v2"))).as("still fresh").isEqualTo("v1");
        assertThat(loaderCalls).hasValue(1);

        ticker.advance(Duration.ofNanos(1));
        assertThat(cache.call("alice", returns("v2"))).as("10 s old: no longer fresh").isEqualTo("v2");
        assertThat(loaderCalls).hasValue(2);

        assertThat(cache.stats()).isEqualTo(new StaleCacheStats(1, 2, 0, 0));
    }

    @Test
    void whenLimitsWhichFailuresAreAnsweredWithStaleValues() {
        StaleCache<String, String> cache = StaleCache.<String, String>builder("profiles").maxStaleness(MAX_STALENESS)
                .when(e -> e instanceof IOException).ticker(ticker).executor(Runnable::run).build();
        cache.call("alice", returns("v1"));
        IllegalArgumentException badRequest = new IllegalArgumentException("bad request");

        assertThat(cache.call("alice", fails(new IOException("down")))).isEqualTo("v1");
        assertThatThrownBy(() -> cache.call("alice", fails(badRequest))).isSameAs(badRequest);

        assertThat(cache.stats()).isEqualTo(new StaleCacheStats(0, 3, 1, 1));
    }

    @Test
    void statsCountEveryOutcomeExactly() {
        StaleCache<String, String> cache = StaleCache.<String, String>builder("profiles").maxStaleness(MAX_STALENESS)
                .freshFor(Duration.ofSeconds(30)).ticker(ticker).executor(Runnable::run).build();
        IllegalStateException down = new IllegalStateException("down");

        cache.call("a", returns("a1"));                          // load
        cache.call("a", returns("a2"));                          // hit
        cache.call("a", returns("a3"));                          // hit
        ticker.advance(Duration.ofMinutes(1));
        cache.call("a", fails(down));                            // load, stale serve
        assertThatThrownBy(() -> cache.call("b", fails(down)));  // load, miss
        cache.call("b", returns("b1"));                          // load
        ticker.advance(Duration.ofMinutes(10));
        assertThatThrownBy(() -> cache.call("a", fails(down)));  // load, miss (too old)
        cache.call("a", returns("a4"));                          // load
        cache.call("a", returns("a5"));                          // hit

        assertThat(cache.stats()).isEqualTo(new StaleCacheStats(3, 6, 1, 2));
        assertThat(loaderCalls).hasValue(6);
    }

    @Test
    void nullResultsAreReturnedButNotRemembered() {
        StaleCache<String, String> cache = cache();
        cache.call("alice", returns("v1"));

        assertThat(cache.call("alice", returns(null))).isNull();
        assertThat(cache.call("alice", fails(new IOException()))).as("v1 is still the last good value").isEqualTo("v1");
    }

    @Test
    void rememberAndServeStaleCanBeUsedDirectly() {
        StaleCache<String, String> cache = cache();
        IllegalStateException down = new IllegalStateException("down");

        assertThatThrownBy(() -> cache.serveStale("alice", down)).isSameAs(down);
        cache.remember("alice", "v1");
        assertThat(cache.serveStale("alice", down)).isEqualTo("v1");

        assertThat(cache.stats()).isEqualTo(new StaleCacheStats(0, 0, 1, 1));
    }

    @Test
    void clearForgetsEveryValue() {
        StaleCache<String, String> cache = cache();
        cache.call("alice", returns("v1"));
        cache.call("bob", returns("b1"));

        cache.clear();

        assertThat(cache.lastGood("alice")).isEmpty();
        assertThat(cache.lastGood("bob")).isEmpty();
        assertThatThrownBy(() -> cache.call("alice", fails(new IllegalStateException("down")))).hasMessage("down");
    }

    @Test
    void maxEntriesBoundsHowManyKeysAreRemembered() {
        StaleCache<String, String> cache = StaleCache.<String, String>builder("profiles").maxStaleness(MAX_STALENESS)
                .maxEntries(2).ticker(ticker).executor(Runnable::run).build();

        for (int i = 0; i < 10; i++) {
            cache.call("k" + i, returns("v" + i));
        }

        int remembered = 0;
        for (int i = 0; i < 10; i++) {
            remembered += cache.lastGood("k" + i).isPresent() ? 1 : 0;
        }
        assertThat(remembered).isBetween(1, 2);
    }

    @Test
    void aNullKeyIsRejected() {
        StaleCache<String, String> cache = cache();

        assertThatThrownBy(() -> cache.call(null, returns("v")))
                .isInstanceOf(dev.bulwark.InvalidConfigException.class)
                .hasMessageContaining("key").hasMessageContaining("allowed");
        assertThat(loaderCalls).hasValue(0);
    }
}
