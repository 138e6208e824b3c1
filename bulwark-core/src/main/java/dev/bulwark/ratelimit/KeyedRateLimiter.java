package dev.bulwark.ratelimit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.bulwark.InvalidConfigException;
import dev.bulwark.internal.Check;
import dev.bulwark.time.Ticker;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * One rate limiter per key (a user, a tenant, a client address), in bounded memory: at most
 * {@code maxKeys} limiters (the rarely used go first), and a limiter idle for {@code expireAfterIdle} is dropped (a key that
 * comes back starts with a fresh, full limiter). Backed by a Caffeine cache.
 *
 * <pre>{@code
 * KeyedRateLimiter<String> perUser = KeyedRateLimiter.<String>builder("per-user")
 *     .limiter(user -> TokenBucket.builder("user:" + user).permitsPerSecond(10).burst(20).build())
 *     .maxKeys(100_000).expireAfterIdle(Duration.ofMinutes(10))
 *     .build();
 * if (!perUser.tryAcquire(userId)) throw perUser.rejection(userId);
 * }</pre>
 */
public final class KeyedRateLimiter<K> {
    private final String name;
    private final Cache<K, RateLimiter> limiters;
    private final Function<? super K, ? extends RateLimiter> factory;

    private KeyedRateLimiter(Builder<K> b) {
        this.name = b.name;
        this.factory = b.factory;
        Caffeine<Object, Object> caffeine = Caffeine.newBuilder()
                .maximumSize(b.maxKeys)
                .expireAfterAccess(b.expireAfterIdle)
                .ticker(b.ticker::read);
        if (b.executor != null) {
            caffeine.executor(b.executor);
        }
        this.limiters = caffeine.build();
    }

    public static <K> Builder<K> builder(String name) {
        return new Builder<>(Check.name("name", name));
    }

    public String name() {
        return name;
    }

    /** Takes one permit for {@code key} if available now. */
    public boolean tryAcquire(K key) {
        return limiterFor(key).tryAcquire();
    }

    /** Takes {@code permits} for {@code key}, waiting at most {@code maxWait}. */
    public boolean tryAcquire(K key, int permits, Duration maxWait) {
        return limiterFor(key).tryAcquire(permits, maxWait);
    }

    /** The limiter of {@code key}, created on first use. */
    public RateLimiter limiterFor(K key) {
        return limiters.get(Check.notNull("key", key), factory::apply);
    }

    /** A rejection for {@code key}, naming this limiter and the key. */
    public RateLimitedException rejection(K key) {
        RateLimiter limiter = limiterFor(key);
        return new RateLimitedException(name + "[" + key + "]", limiter.toString(), limiter.nanosUntilPermit());
    }

    /** Keys currently held (an estimate while evictions are pending). */
    public long size() {
        return limiters.estimatedSize();
    }

    /** Runs pending evictions now; eviction otherwise happens as the cache is used. */
    public void cleanUp() {
        limiters.cleanUp();
    }

    /** Builds a {@link KeyedRateLimiter}. */
    public static final class Builder<K> {
        private final String name;
        private Function<? super K, ? extends RateLimiter> factory;
        private long maxKeys = 10_000;
        private Duration expireAfterIdle = Duration.ofMinutes(10);
        private Ticker ticker = Ticker.system();
        private Executor executor;

        private Builder(String name) {
            this.name = name;
        }

        /** Makes the limiter of a new key. */
        public Builder<K> limiter(Function<? super K, ? extends RateLimiter> perKey) {
            factory = Check.notNull("limiter", perKey);
            return this;
        }

        /**
         * At most this many keys are held (default 10 000). Past it, Caffeine evicts the keys least
         * likely to be used again by its W-TinyLFU policy, which weighs how often as well as how
         * recently a key was used: which key goes is not strictly the least recently used one.
         */
        public Builder<K> maxKeys(long keys) {
            maxKeys = Check.positive("maxKeys", keys);
            return this;
        }

        /** A key not used for this long is dropped (default 10 minutes). */
        public Builder<K> expireAfterIdle(Duration idle) {
            expireAfterIdle = Check.positive("expireAfterIdle", idle);
            return this;
        }

        /** The time source for idle expiry (default the system's). */
        public Builder<K> ticker(Ticker source) {
            ticker = Check.notNull("ticker", source);
            return this;
        }

        /** Where evictions run (default Caffeine's: the common pool); {@code Runnable::run} runs them inline. */
        public Builder<K> executor(Executor evictions) {
            executor = Check.notNull("executor", evictions);
            return this;
        }

        public KeyedRateLimiter<K> build() {
            if (factory == null) {
                throw new InvalidConfigException("limiter", null, "a function making each key's RateLimiter");
            }
            return new KeyedRateLimiter<>(this);
        }
    }
}
