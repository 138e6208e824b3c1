package dev.bulwark.grpc.client;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.google.protobuf.MessageLite;
import dev.bulwark.InvalidConfigException;
import dev.bulwark.grpc.internal.CachingInterceptor;
import dev.bulwark.grpc.internal.Limits;
import dev.bulwark.internal.Check;
import dev.bulwark.time.Ticker;
import io.grpc.ClientInterceptor;
import io.grpc.MethodDescriptor;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;

/**
 * Caches the answers of unary methods that are safe to answer from memory (by default those
 * declared {@code idempotency_level = NO_SIDE_EFFECTS}): keyed by method and request bytes, bounded
 * by entries and by bytes (least recently used out first, on Caffeine), fresh for a TTL or for the
 * {@code max-age} of the server's {@code cache-control} (whose {@code no-store} or
 * {@code no-cache} keeps an answer out); concurrent identical calls make one call (single flight);
 * optionally, a stale answer serves when a fresh call fails. Only OK answers are kept. Headers are
 * not part of the key unless named ({@code keyHeaders}): cache only what every caller may see.
 *
 * <pre>{@code
 * ResponseCache cache = ResponseCache.builder()
 *     .maxEntries(10_000).maxBytes(64L << 20).ttl(Duration.ofSeconds(30))
 *     .staleIfError(Duration.ofMinutes(5))
 *     .forMethods(method -> method.getFullMethodName().equals("bulwark.test.Echo/Unary"))
 *     .build();
 * BulwarkChannel cached = BulwarkChannel.builder("echo", discovery).responseCache(cache).build();
 * }</pre>
 */
public final class ResponseCache {
    /**
     * What the cache did since it was made.
     *
     * @param hits calls answered fresh from memory
     * @param misses calls that went to the server (or joined one that did)
     * @param joined calls that waited for an identical call in flight instead of making their own
     * @param staleServes failed calls answered with a stale answer
     * @param evictions answers dropped to stay within the bounds
     * @param entries answers held now
     * @param bytes their size
     */
    public record Stats(long hits, long misses, long joined, long staleServes, long evictions, long entries, long bytes) {
    }

    /** A cached answer: the response message, and until when it is fresh and may serve stale. */
    public record Entry(Object response, int bytes, long freshUntilNanos, long staleUntilNanos) {
    }

    /** The method and the request's bytes. */
    public record Key(String method, byte[] request) {
        @Override
        public boolean equals(Object other) {
            return other instanceof Key k && k.method.equals(method) && Arrays.equals(k.request, request);
        }

        @Override
        public int hashCode() {
            return method.hashCode() * 31 + Arrays.hashCode(request);
        }

        @Override
        public String toString() {
            return method + " (" + request.length + " bytes)";
        }
    }

    private final Cache<Key, Entry> cache;
    private final long ttlNanos;
    private final long staleNanos;
    private final long entryCap;
    private final java.util.List<io.grpc.Metadata.Key<String>> keyHeaders;
    private final long flightTimeoutNanos;
    private final Predicate<MethodDescriptor<?, ?>> methods;
    private final Ticker ticker;
    private final LongAdder hits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder joined = new LongAdder();
    private final LongAdder staleServes = new LongAdder();
    private final LongAdder evictions = new LongAdder();
    private final LongAdder bytes = new LongAdder();

    private ResponseCache(Builder b) {
        this.ttlNanos = b.ttl.toNanos();
        this.staleNanos = b.staleIfError == null ? 0 : b.staleIfError.toNanos();
        this.methods = b.methods;
        this.ticker = b.ticker;
        this.cache = Caffeine.newBuilder()
                .maximumWeight(b.maxBytes)
                .weigher((Key k, Entry e) -> e.bytes() + k.request().length)
                .expireAfter(new Expiry<Key, Entry>() {
                    @Override
                    public long expireAfterCreate(Key key, Entry entry, long now) {
                        return Math.max(0, entry.staleUntilNanos() - now);
                    }

                    @Override
                    public long expireAfterUpdate(Key key, Entry entry, long now, long current) {
                        return Math.max(0, entry.staleUntilNanos() - now);
                    }

                    @Override
                    public long expireAfterRead(Key key, Entry entry, long now, long current) {
                        return current;
                    }
                })
                .ticker(ticker::read)
                .executor(Runnable::run)
                .removalListener((Key k, Entry e, RemovalCause cause) -> {
                    if (e != null) {
                        bytes.add(-(e.bytes() + k.request().length));
                    }
                    if (cause == RemovalCause.SIZE) {
                        evictions.increment();
                    }
                })
                .build();
        this.entryCap = b.maxEntries;
        this.keyHeaders = b.keyHeaders.stream()
                .map(h -> io.grpc.Metadata.Key.of(h, io.grpc.Metadata.ASCII_STRING_MARSHALLER)).toList();
        this.flightTimeoutNanos = b.flightTimeout.toNanos();
    }

    /** The values of the headers that are part of the key ({@code keyHeaders}), as a key suffix. */
    public String keyHeaders(io.grpc.Metadata headers) {
        if (keyHeaders.isEmpty()) {
            return "";
        }
        StringBuilder part = new StringBuilder();
        for (io.grpc.Metadata.Key<String> k : keyHeaders) {
            part.append('\n').append(k.name()).append('=').append(headers.get(k));
        }
        return part.toString();
    }

    /** How long the call shared by identical callers may run. */
    public long flightTimeoutNanos() {
        return flightTimeoutNanos;
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * The interceptor that serves from this cache, running callbacks on {@code callbacks} for calls
     * that name no executor; a Bulwark channel installs it outermost, so a hit skips every policy.
     */
    public ClientInterceptor interceptor(java.util.concurrent.Executor callbacks) {
        return new CachingInterceptor(this, Check.notNull("callbacks", callbacks));
    }

    /** Whether calls of {@code method} are cached. */
    public boolean caches(MethodDescriptor<?, ?> method) {
        return method.getType() == MethodDescriptor.MethodType.UNARY && methods.test(method);
    }

    /** The answer for {@code key} if it is fresh. */
    public Object fresh(Key key) {
        Entry e = cache.getIfPresent(key);
        if (e != null && ticker.read() - e.freshUntilNanos() < 0) {
            hits.increment();
            return e.response();
        }
        misses.increment();
        return null;
    }

    /** A stale answer for {@code key} to serve instead of a failure, if the cache keeps them. */
    public Object stale(Key key) {
        if (staleNanos == 0) {
            return null;
        }
        Entry e = cache.getIfPresent(key);
        if (e != null && ticker.read() - e.staleUntilNanos() < 0) {
            staleServes.increment();
            return e.response();
        }
        return null;
    }

    /** Keeps an OK answer, fresh for {@code maxAgeNanos} (or the TTL when negative). */
    public void remember(Key key, Object response, long maxAgeNanos) {
        if (cache.estimatedSize() >= entryCap) {
            cache.cleanUp();
            if (cache.estimatedSize() >= entryCap) {
                cache.policy().eviction().ifPresent(ev -> ev.coldest(1).keySet().forEach(k -> {
                    cache.invalidate(k);
                    evictions.increment();
                }));
            }
        }
        int size = response instanceof MessageLite m ? m.getSerializedSize() : 1024;
        long now = ticker.read();
        long fresh = now + (maxAgeNanos >= 0 ? maxAgeNanos : ttlNanos);
        Entry entry = new Entry(response, size, fresh, fresh + staleNanos);
        bytes.add(size + key.request().length);
        cache.put(key, entry);
    }

    /** Counts a call that joined an identical one in flight. */
    public void countJoined() {
        joined.increment();
    }

    public Stats stats() {
        return new Stats(hits.sum(), misses.sum(), joined.sum(), staleServes.sum(), evictions.sum(), cache.estimatedSize(),
                bytes.sum());
    }

    /** Builds a {@link ResponseCache}. */
    public static final class Builder {
        private long maxEntries = 10_000;
        private long maxBytes = 64L << 20;
        private Duration ttl = Duration.ofSeconds(30);
        private Duration staleIfError;
        private Predicate<MethodDescriptor<?, ?>> methods = MethodDescriptor::isSafe;
        private Ticker ticker = Ticker.system();
        private final java.util.List<String> keyHeaders = new java.util.ArrayList<>();
        private Duration flightTimeout = Duration.ofSeconds(30);

        private Builder() {
        }

        /**
         * Request headers whose values are part of the key (an {@code authorization} or a tenant
         * header, when answers differ by caller); by default the key is the method and the request bytes.
         */
        public Builder keyHeaders(String... names) {
            for (String name : Check.notNull("keyHeaders", names)) {
                keyHeaders.add(Check.name("keyHeaders", name).toLowerCase(java.util.Locale.ROOT));
            }
            return this;
        }

        /**
         * How long the one call identical callers share may run (default 30 s): it serves them all,
         * so no one caller's deadline bounds it; each caller still stops waiting at its own.
         */
        public Builder flightTimeout(Duration limit) {
            flightTimeout = Limits.within("flightTimeout", limit, Duration.ofMillis(1), Duration.ofMinutes(10), null);
            return this;
        }

        /** At most this many answers (default 10 000). */
        public Builder maxEntries(long entries) {
            maxEntries = Limits.within("maxEntries", entries, 1, 100_000_000);
            return this;
        }

        /** At most this many bytes of answers and keys (default 64 MiB). */
        public Builder maxBytes(long limit) {
            maxBytes = Limits.within("maxBytes", limit, 1024, 1L << 40);
            return this;
        }

        /** How long an answer is fresh when the server says nothing (default 30 s). */
        public Builder ttl(Duration fresh) {
            ttl = Limits.within("ttl", fresh, Duration.ofMillis(1), Duration.ofDays(7), null);
            return this;
        }

        /** Serves an answer up to {@code window} past its freshness when a fresh call fails (default: never). */
        public Builder staleIfError(Duration window) {
            staleIfError = Limits.within("staleIfError", window, Duration.ofMillis(1), Duration.ofDays(7), null);
            return this;
        }

        /** The methods to cache (default: those declared free of side effects). Unary methods only. */
        public Builder forMethods(Predicate<MethodDescriptor<?, ?>> which) {
            methods = Check.notNull("forMethods", which);
            return this;
        }

        /** Reads freshness (default: the system ticker). */
        public Builder ticker(Ticker source) {
            ticker = Check.notNull("ticker", source);
            return this;
        }

        public ResponseCache build() {
            if (maxBytes < maxEntries) {
                throw new InvalidConfigException("maxBytes", maxBytes, "at least maxEntries (" + maxEntries + "): an answer takes a byte at least");
            }
            return new ResponseCache(this);
        }
    }
}
