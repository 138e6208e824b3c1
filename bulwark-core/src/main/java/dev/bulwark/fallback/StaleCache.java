package dev.bulwark.fallback;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.bulwark.CallFailedException;
import dev.bulwark.InvalidConfigException;
import dev.bulwark.internal.Check;
import dev.bulwark.internal.Futures;
import dev.bulwark.time.Ticker;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;

/**
 * A fallback that answers a failed call with the last good value for the same key, if that value
 * is not older than {@code maxStaleness}: a slightly old price list beats an error page.
 *
 * <p>Every success is remembered per key (bounded by {@code maxEntries}, in a Caffeine cache). On
 * failure or rejection the last value is served if young enough (a <em>stale serve</em>); otherwise
 * the failure propagates (a <em>miss</em>). With {@code freshFor} set, a value younger than that is
 * served without calling at all (a <em>hit</em>). Counters of each are in {@link #stats()}.
 *
 * <pre>{@code
 * StaleCache<String, String> profiles = StaleCache.<String, String>builder("profiles")
 *     .maxStaleness(Duration.ofMinutes(5)).maxEntries(50_000).build();
 * String profile = profiles.call(userId, () -> "profile of " + userId);   // remembered
 * String stale = profiles.call(userId, () -> failWith("down"));           // served from memory
 * }</pre>
 */
public final class StaleCache<K, V> {
    private final String name;
    private final Ticker ticker;
    private final long maxStalenessNanos;
    private final long freshForNanos;
    private final Predicate<? super Throwable> when;
    private final Cache<K, Stamped<V>> values;
    private final LongAdder hits = new LongAdder();
    private final LongAdder loads = new LongAdder();
    private final LongAdder staleServes = new LongAdder();
    private final LongAdder misses = new LongAdder();

    private record Stamped<V>(V value, long storedAtNanos) {
    }

    private StaleCache(Builder<K, V> b) {
        this.name = b.name;
        this.ticker = b.ticker;
        this.maxStalenessNanos = Check.nanos(b.maxStaleness);
        this.freshForNanos = Check.nanos(b.freshFor);
        this.when = b.when;
        Caffeine<Object, Object> caffeine = Caffeine.newBuilder()
                .maximumSize(b.maxEntries)
                // Caffeine expires at age >= its duration; a value exactly maxStaleness old may still be served.
                .expireAfterWrite(b.maxStaleness.plusNanos(1))
                .ticker(ticker::read);
        if (b.executor != null) {
            caffeine.executor(b.executor);
        }
        this.values = caffeine.build();
    }

    public static <K, V> Builder<K, V> builder(String name) {
        return new Builder<>(Check.name("name", name));
    }

    public String name() {
        return name;
    }

    /**
     * Returns a fresh cached value, or calls {@code loader}: a success is remembered and returned;
     * a failure is answered by the last good value if young enough, or propagates.
     */
    public V call(K key, Callable<? extends V> loader) {
        Check.notNull("key", key);
        Stamped<V> cached = values.getIfPresent(key);
        long now = ticker.read();
        if (cached != null && freshForNanos > 0 && now - cached.storedAtNanos < freshForNanos) {
            hits.increment();
            return cached.value;
        }
        loads.increment();
        V value;
        try {
            value = loader.call();
        } catch (Throwable error) {
            return serveStale(key, error);
        }
        remember(key, value);
        return value;
    }

    /**
     * The asynchronous form of {@link #call(Object, Callable)}: a fresh value completes the
     * returned future at once; otherwise {@code loader} is started, a success remembered, and a
     * failure answered by the last good value if young enough. The future completes on every path;
     * cancelling it cancels the loader's.
     */
    public CompletableFuture<V> callAsync(K key, Supplier<? extends CompletionStage<? extends V>> loader) {
        Check.notNull("key", key);
        Stamped<V> cached = values.getIfPresent(key);
        if (cached != null && freshForNanos > 0 && ticker.read() - cached.storedAtNanos < freshForNanos) {
            hits.increment();
            return CompletableFuture.completedFuture(cached.value);
        }
        loads.increment();
        CompletableFuture<? extends V> source = Futures.start(loader);
        CompletableFuture<V> result = Futures.dependent(source);
        source.whenComplete((value, failure) -> {
            try {
                if (failure == null) {
                    remember(key, value);
                    result.complete(value);
                } else {
                    result.complete(serveStale(key, Futures.unwrap(failure)));
                }
            } catch (Throwable error) {
                result.completeExceptionally(error instanceof CallFailedException && error.getCause() != null
                        ? error.getCause() : error);
            }
        });
        return result;
    }

    /** Remembers {@code value} as the last good value for {@code key}. */
    public void remember(K key, V value) {
        if (value != null) {
            values.put(Check.notNull("key", key), new Stamped<>(value, ticker.read()));
        }
    }

    /**
     * Answers {@code error} for {@code key} with the last good value if young enough (counting a
     * stale serve), else rethrows it (counting a miss).
     */
    public V serveStale(K key, Throwable error) {
        Optional<V> stale = when.test(error) ? lastGood(key) : Optional.empty();
        if (stale.isPresent()) {
            staleServes.increment();
            return stale.get();
        }
        misses.increment();
        throw CallFailedException.propagate(error);
    }

    /** The last good value for {@code key}, if not older than {@code maxStaleness}. */
    public Optional<V> lastGood(K key) {
        Stamped<V> cached = values.getIfPresent(key);
        if (cached == null || ticker.read() - cached.storedAtNanos > maxStalenessNanos) {
            return Optional.empty();
        }
        return Optional.of(cached.value);
    }

    /** Counters since creation. */
    public StaleCacheStats stats() {
        return new StaleCacheStats(hits.sum(), loads.sum(), staleServes.sum(), misses.sum());
    }

    /** Drops every remembered value. */
    public void clear() {
        values.invalidateAll();
    }

    /** Builds a {@link StaleCache}. */
    public static final class Builder<K, V> {
        private final String name;
        private long maxEntries = 10_000;
        private Duration maxStaleness;
        private Duration freshFor = Duration.ZERO;
        private Predicate<? super Throwable> when = e -> true;
        private Ticker ticker = Ticker.system();
        private Executor executor;

        private Builder(String name) {
            this.name = name;
        }

        /** A value older than this is never served. Required. */
        public Builder<K, V> maxStaleness(Duration age) {
            maxStaleness = Check.positive("maxStaleness", age);
            return this;
        }

        /** A value younger than this is served without calling (default zero: always call). */
        public Builder<K, V> freshFor(Duration age) {
            freshFor = Check.nonNegative("freshFor", age);
            return this;
        }

        /** Keys remembered at most; the least recently used go first (default 10 000). */
        public Builder<K, V> maxEntries(long entries) {
            maxEntries = Check.positive("maxEntries", entries);
            return this;
        }

        /** Serves stale values only for failures matching {@code predicate} (default every failure). */
        public Builder<K, V> when(Predicate<? super Throwable> predicate) {
            when = Check.notNull("when", predicate);
            return this;
        }

        public Builder<K, V> ticker(Ticker source) {
            ticker = Check.notNull("ticker", source);
            return this;
        }

        /** Where Caffeine's maintenance runs (default its own); {@code Runnable::run} for tests. */
        public Builder<K, V> executor(Executor maintenance) {
            executor = Check.notNull("executor", maintenance);
            return this;
        }

        public StaleCache<K, V> build() {
            if (maxStaleness == null) {
                throw new InvalidConfigException("maxStaleness", null, "a duration > 0");
            }
            if (freshFor.compareTo(maxStaleness) > 0) {
                throw new InvalidConfigException("freshFor", freshFor, "a duration <= maxStaleness (" + maxStaleness + ")");
            }
            return new StaleCache<>(this);
        }
    }
}
