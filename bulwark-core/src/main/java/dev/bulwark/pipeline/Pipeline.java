package dev.bulwark.pipeline;

import dev.bulwark.CallContext;
import dev.bulwark.CallFailedException;
import dev.bulwark.InvalidConfigException;
import dev.bulwark.breaker.CircuitBreaker;
import dev.bulwark.bulkhead.Bulkhead;
import dev.bulwark.fallback.Fallback;
import dev.bulwark.fallback.StaleCache;
import dev.bulwark.internal.Check;
import dev.bulwark.ratelimit.RateLimiter;
import dev.bulwark.retry.Retry;
import dev.bulwark.timeout.Timeout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Several policies composed into one call path, in the {@linkplain Stage default order} or one
 * of your choosing.
 *
 * <pre>{@code
 * Pipeline<Quote> quotes = Pipeline.builder("quotes")
 *     .retry(retry)
 *     .rateLimiter(limiter)
 *     .bulkhead(bulkhead)
 *     .circuitBreaker(breaker)
 *     .timeout(Timeout.of("quotes", Duration.ofMillis(300)))
 *     .fallback(Fallback.of(error -> Quote.unavailable()))
 *     .build();
 * Quote q = quotes.call(() -> pricing.quote(sku));
 * }</pre>
 *
 * The order the policies are added in does not matter; {@link Builder#order(Stage...)} sets
 * another. Orders known to misbehave (a retry outside the rate limiter's reach, a backoff holding
 * a bulkhead permit, a breaker that sees one outcome per retried call, rejections that bypass the
 * fallback) are allowed but reported by {@link #warnings()} and logged once at build time.
 *
 * <p>A synchronous call through retry, rate limiter, bulkhead and breaker allocates nothing when it
 * succeeds; a timeout costs one small timer object per call.
 *
 * @param <T> the result type, fixed by a fallback or stale cache, else {@code Object}
 */
public final class Pipeline<T> {
    private static final System.Logger LOG = System.getLogger("dev.bulwark.pipeline");

    private final String name;
    private final Link head;
    private final List<Stage> order;
    private final List<String> warnings;

    private Pipeline(String name, Link head, List<Stage> order, List<String> warnings) {
        this.name = name;
        this.head = head;
        this.order = order;
        this.warnings = warnings;
    }

    public static Builder<Object> builder(String name) {
        return new Builder<>(Check.name("name", name));
    }

    public String name() {
        return name;
    }

    /** The stages, outermost first. */
    public List<Stage> order() {
        return order;
    }

    /** What is questionable about this pipeline's order; empty when nothing is. */
    public List<String> warnings() {
        return warnings;
    }

    /** Runs {@code task} through every policy. */
    public <R extends T> R call(Callable<R> task) {
        return call(CallContext.none(), task);
    }

    /** Runs {@code task} through every policy, with a deadline and attributes the policies can read. */
    @SuppressWarnings("unchecked")
    public <R extends T> R call(CallContext context, Callable<R> task) {
        Check.notNull("task", task);
        try {
            return (R) head.call(Check.notNull("context", context), task);
        } catch (Exception e) {
            throw CallFailedException.propagate(e);
        }
    }

    /** Starts {@code task} through every policy; failures, rejections included, fail the returned future. */
    public <R extends T> CompletableFuture<R> callAsync(Supplier<? extends CompletionStage<R>> task) {
        return callAsync(CallContext.none(), task);
    }

    /** Starts {@code task} through every policy, with a deadline and attributes the policies can read. */
    @SuppressWarnings("unchecked")
    public <R extends T> CompletableFuture<R> callAsync(CallContext context, Supplier<? extends CompletionStage<R>> task) {
        Check.notNull("task", task);
        return (CompletableFuture<R>) head.callAsync(Check.notNull("context", context), task);
    }

    @Override
    public String toString() {
        return "Pipeline{" + name + ", " + order + '}';
    }

    /** Builds a {@link Pipeline}. Each policy may be added once. */
    public static final class Builder<T> {
        private final String name;
        private final Map<Stage, Object> policies = new EnumMap<>(Stage.class);
        private Duration rateLimitWait = Duration.ZERO;
        private Function<CallContext, ?> cacheKey;
        private List<Stage> order;

        private Builder(String name) {
            this.name = name;
        }

        public Builder<T> retry(Retry retry) {
            return put(Stage.RETRY, retry);
        }

        /** Rate limits each attempt; a call over the limit is rejected at once. */
        public Builder<T> rateLimiter(RateLimiter limiter) {
            return put(Stage.RATE_LIMITER, limiter);
        }

        /** Rate limits each attempt, a synchronous call waiting at most {@code maxWait} for a permit. */
        public Builder<T> rateLimiter(RateLimiter limiter, Duration maxWait) {
            rateLimitWait = Check.nonNegative("rateLimiter.maxWait", maxWait);
            return put(Stage.RATE_LIMITER, limiter);
        }

        public Builder<T> bulkhead(Bulkhead bulkhead) {
            return put(Stage.BULKHEAD, bulkhead);
        }

        public Builder<T> circuitBreaker(CircuitBreaker breaker) {
            return put(Stage.CIRCUIT_BREAKER, breaker);
        }

        public Builder<T> timeout(Timeout timeout) {
            return put(Stage.TIMEOUT, timeout);
        }

        /** Answers failures the fallback handles; fixes the pipeline's result type. */
        @SuppressWarnings("unchecked")
        public <U> Builder<U> fallback(Fallback<U> fallback) {
            put(Stage.FALLBACK, fallback);
            return (Builder<U>) this;
        }

        /**
         * Remembers successes per key and answers failures with a young-enough last value. The key
         * of a call comes from its context; a call whose key is {@code null} bypasses the cache.
         */
        @SuppressWarnings("unchecked")
        public <K, U> Builder<U> staleCache(StaleCache<K, U> cache, Function<CallContext, K> keyOf) {
            cacheKey = Check.notNull("staleCache.keyOf", keyOf);
            put(Stage.STALE_CACHE, cache);
            return (Builder<U>) this;
        }

        /** Composes the policies in this order, outermost first; it must name exactly the policies added. */
        public Builder<T> order(Stage... stages) {
            Check.notNull("order", stages);
            List<Stage> list = List.of(stages);
            if (EnumSet.copyOf(list.isEmpty() ? EnumSet.noneOf(Stage.class) : list).size() != list.size()) {
                throw new InvalidConfigException("order", list, "each stage at most once");
            }
            order = list;
            return this;
        }

        @SuppressWarnings("unchecked")
        public Pipeline<T> build() {
            List<Stage> stages = order != null ? order : defaultOrder();
            if (!EnumSet.copyOf(stages.isEmpty() ? EnumSet.noneOf(Stage.class) : stages).equals(
                    policies.isEmpty() ? EnumSet.noneOf(Stage.class) : EnumSet.copyOf(policies.keySet()))) {
                throw new InvalidConfigException("order", stages, "exactly the stages added: " + policies.keySet());
            }
            Link link = new Link.Task();
            for (int i = stages.size() - 1; i >= 0; i--) {
                Object policy = policies.get(stages.get(i));
                link = switch (stages.get(i)) {
                    case RETRY -> new Links.RetryLink((Retry) policy, link);
                    case RATE_LIMITER -> new Links.RateLimiterLink((RateLimiter) policy, rateLimitWait, link);
                    case BULKHEAD -> new Links.BulkheadLink((Bulkhead) policy, link);
                    case CIRCUIT_BREAKER -> new Links.BreakerLink((CircuitBreaker) policy, link);
                    case TIMEOUT -> new Links.TimeoutLink((Timeout) policy, link);
                    case FALLBACK -> new Links.FallbackLink((Fallback<Object>) policy, link);
                    case STALE_CACHE -> new Links.StaleCacheLink((StaleCache<Object, Object>) policy, cacheKey, link);
                };
            }
            List<String> warnings = OrderAdvice.check(stages);
            for (String warning : warnings) {
                LOG.log(System.Logger.Level.WARNING, "pipeline '" + name + "': " + warning);
            }
            return new Pipeline<>(name, link, List.copyOf(stages), Collections.unmodifiableList(new ArrayList<>(warnings)));
        }

        private List<Stage> defaultOrder() {
            List<Stage> stages = new ArrayList<>(Arrays.asList(Stage.values()));
            stages.retainAll(policies.keySet());
            return stages;
        }

        private Builder<T> put(Stage stage, Object policy) {
            Check.notNull(stage.name().toLowerCase(java.util.Locale.ROOT), policy);
            if (policies.putIfAbsent(stage, policy) != null) {
                throw new InvalidConfigException(stage.name(), policy, "one " + stage + " per pipeline (already set)");
            }
            return this;
        }
    }
}
