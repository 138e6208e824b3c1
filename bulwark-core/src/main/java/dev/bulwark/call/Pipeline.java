package dev.bulwark.call;

import dev.bulwark.CallContext;
import dev.bulwark.CallFailedException;
import dev.bulwark.FailureClassifier;
import dev.bulwark.fallback.Fallback;
import dev.bulwark.fallback.StaleCache;
import dev.bulwark.internal.Check;
import dev.bulwark.internal.Futures;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A protected call to a single dependency: policies and stages of your own composed into one
 * chain, with a synchronous and an asynchronous face. (A {@link ClientPool} is the same chain with
 * an endpoint pick.)
 *
 * <pre>{@code
 * Pipeline<String> quotes = Pipeline.<String>builder("quotes")
 *     .retry(Retry.builder("quotes").maxAttempts(3).build())
 *     .circuitBreaker(CircuitBreaker.builder("quotes").consecutiveFailures(5).build())
 *     .timeout(Timeout.of("quotes", Duration.ofMillis(300)))
 *     .fallback(Fallback.value("unavailable"))
 *     .build();
 * String quote = quotes.call(() -> "quote for " + 42);
 * }</pre>
 *
 * The order the policies are added in does not matter: they compose in the {@link StageKind}
 * order, or in one of your own with {@link ChainBuilder#stages(Stage...)}. A synchronous call
 * through retry, rate limiter, bulkhead and breaker allocates nothing when it succeeds; a timeout
 * costs one small timer object per call.
 *
 * @param <T> the result type
 */
public final class Pipeline<T> {
    private final Chain chain;

    private Pipeline(Chain chain) {
        this.chain = chain;
    }

    /** A builder of a pipeline whose calls return {@code T}: {@code Pipeline.<Quote>builder("quotes")}. */
    public static <T> Builder<T> builder(String name) {
        return new Builder<>(Check.name("name", name));
    }

    public String name() {
        return chain.name;
    }

    /** The stages' names, outermost first. */
    public List<String> stages() {
        List<String> names = new ArrayList<>();
        for (Stage s : chain.stages) {
            names.add(s.name());
        }
        return List.copyOf(names);
    }

    /** What is questionable about this pipeline's order; empty when nothing is. */
    public List<String> warnings() {
        return chain.warnings;
    }

    /** Runs {@code task} through every stage. */
    public T call(Callable<? extends T> task) {
        return call(CallContext.none(), task);
    }

    /** Runs {@code task} through every stage, with a deadline and attributes the stages can read. */
    @SuppressWarnings("unchecked")
    public T call(CallContext context, Callable<? extends T> task) {
        Check.notNull("task", task);
        try {
            return (T) chain.call(Check.notNull("context", context), task);
        } catch (Exception e) {
            throw CallFailedException.propagate(e);
        }
    }

    /** Starts {@code task} through every stage; failures, rejections included, fail the returned future. */
    public CompletableFuture<T> callAsync(Supplier<? extends CompletionStage<? extends T>> task) {
        return callAsync(CallContext.none(), task);
    }

    /**
     * Starts {@code task} through every stage, never blocking: backoffs and timeouts are timers.
     * Cancelling the returned future cancels the attempt in flight.
     */
    @SuppressWarnings("unchecked")
    public CompletableFuture<T> callAsync(CallContext context, Supplier<? extends CompletionStage<? extends T>> task) {
        Check.notNull("task", task);
        return (CompletableFuture<T>) (CompletableFuture<?>) chain.callAsync(Check.notNull("context", context), task);
    }

    @Override
    public String toString() {
        return "Pipeline{" + chain.name + ", " + stages() + '}';
    }

    /** The end of a pipeline's chain: the task itself. */
    private static final Chain.Terminal TASK = new Chain.Terminal() {
        @Override
        public Object call(Invocation invocation, Object task) throws Exception {
            return ((Callable<?>) task).call();
        }

        @Override
        @SuppressWarnings("unchecked")
        public CompletableFuture<Object> callAsync(Invocation invocation, Object task) {
            return Futures.start((Supplier<? extends CompletionStage<Object>>) task);
        }
    };

    /** Builds a {@link Pipeline}. Each policy may be added once. */
    public static final class Builder<T> extends ChainBuilder<Builder<T>> {
        private Builder(String name) {
            super(name);
        }

        /** Answers the failures {@code fallback} handles, rejections included, with a {@code T}. */
        public Builder<T> fallback(Fallback<? extends T> fallback) {
            return put(Stages.fallback(fallback));
        }

        /**
         * Remembers successes per key and answers failures with a young-enough last value. The key
         * of a call comes from its context; a call whose key is {@code null} bypasses the cache.
         */
        public <K> Builder<T> staleCache(StaleCache<K, T> cache, Function<dev.bulwark.CallContext, K> keyOf) {
            return put(Stages.staleCache(cache, keyOf));
        }

        public Pipeline<T> build() {
            List<Stage> order = compose(null);
            return new Pipeline<>(new Chain(name, order, TASK,
                    classifier != null ? classifier : FailureClassifier.defaults(), advise(order)));
        }
    }
}
