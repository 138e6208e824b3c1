package dev.bulwark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.breaker.CircuitBreaker;
import dev.bulwark.bulkhead.Bulkhead;
import dev.bulwark.bulkhead.BulkheadConfig;
import dev.bulwark.bulkhead.WorkerPool;
import dev.bulwark.fallback.Fallback;
import dev.bulwark.fallback.StaleCache;
import dev.bulwark.call.Pipeline;
import dev.bulwark.retry.Backoff;
import dev.bulwark.retry.Retry;
import dev.bulwark.retry.RetryListener;
import dev.bulwark.testing.VirtualScheduler;
import dev.bulwark.timeout.Timeout;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every asynchronous path of every policy completes its future when user code it calls throws:
 * the task itself, a predicate, the classifier, a backoff, a delay hint, a fallback, a cache key.
 * The future must fail with what the user code threw, never stay incomplete.
 */
class AsyncPathsCompleteTest {
    private static final String BUG = "user code bug";

    private static RuntimeException bug() {
        return new IllegalStateException(BUG);
    }

    private static <T> Supplier<CompletionStage<T>> failing() {
        return () -> CompletableFuture.failedFuture(new java.io.IOException("the call failed"));
    }

    private static <T> Supplier<CompletionStage<T>> throwing() {
        return () -> {
            throw bug();
        };
    }

    private static Arguments path(String name, Function<VirtualScheduler, CompletableFuture<?>> start) {
        return Arguments.of(name, start);
    }

    private static Retry.Builder retry(VirtualScheduler s) {
        return Retry.builder("r").maxAttempts(3).backoff(Backoff.fixed(Duration.ofMillis(10))).scheduler(s);
    }

    static Stream<Arguments> paths() {
        FailureClassifier throwingClassifier = FailureClassifier.builder().failOnResult(r -> {
            throw bug();
        }).build();
        return Stream.of(
                path("retry: the task throws", s -> retry(s).build().callAsync(throwing())),
                path("retry: the delay hint throws", s -> retry(s).delayHint((r, e) -> {
                    throw bug();
                }).build().callAsync(failing())),
                path("retry: retryOn throws", s -> retry(s).retryOn(e -> {
                    throw bug();
                }).build().callAsync(failing())),
                path("retry: abortOn throws", s -> retry(s).abortOn(e -> {
                    throw bug();
                }).build().callAsync(failing())),
                path("retry: retryWhen throws", s -> retry(s).retryWhen((e, n) -> {
                    throw bug();
                }).build().callAsync(failing())),
                path("retry: retryOnResult throws", s -> retry(s).retryOnResult((r, n) -> {
                    throw bug();
                }).build().callAsync(() -> CompletableFuture.completedFuture("x"))),
                path("retry: the classifier throws", s -> retry(s).classifier(throwingClassifier).build()
                        .callAsync(() -> CompletableFuture.completedFuture("x"))),
                path("retry: the backoff throws", s -> retry(s).backoff((n, p, r) -> {
                    throw bug();
                }).build().callAsync(failing())),
                path("retry: a listener throws (ignored), then the task does", s -> retry(s).listener(new RetryListener() {
                    @Override
                    public void onRetry(Retry r, int attempt, Throwable error, long delayNanos) {
                        throw new IllegalArgumentException("listener bug");
                    }
                }).build().callAsync(throwing())),
                path("breaker: the task throws", s -> CircuitBreaker.builder("b").consecutiveFailures(3).scheduler(s)
                        .build().callAsync(throwing())),
                path("breaker: the classifier throws", s -> CircuitBreaker.builder("b").consecutiveFailures(3)
                        .classifier(throwingClassifier).scheduler(s).build()
                        .callAsync(() -> CompletableFuture.completedFuture("x"))),
                path("bulkhead: the task throws", s -> Bulkhead.of("h", BulkheadConfig.of(1)).callAsync(throwing())),
                path("timeout: the task throws", s -> Timeout.of("t", Duration.ofSeconds(1), s).callAsync(throwing())),
                path("fallback: the task throws and the handler throws", s -> Fallback.<String>of(e -> {
                    throw bug();
                }).callAsync(throwing())),
                path("fallback: the predicate throws", s -> Fallback.value("v").when(e -> {
                    throw bug();
                }).callAsync(failing())),
                path("stale cache: the loader throws", s -> StaleCache.<String, String>builder("c")
                        .maxStaleness(Duration.ofMinutes(1)).ticker(s.ticker()).build().callAsync("k", throwing())),
                path("stale cache: the predicate throws", s -> StaleCache.<String, String>builder("c")
                        .maxStaleness(Duration.ofMinutes(1)).ticker(s.ticker()).when(e -> {
                            throw bug();
                        }).build().callAsync("k", failing())),
                path("pipeline: the cache key throws", s -> Pipeline.<String>builder("p")
                        .staleCache(StaleCache.<String, String>builder("c").maxStaleness(Duration.ofMinutes(1)).build(),
                                context -> {
                                    throw bug();
                                }).build().callAsync(() -> CompletableFuture.completedFuture("x"))),
                path("worker pool: the task throws", s -> {
                    WorkerPool pool = WorkerPool.builder("w").workers(1).build();
                    CompletableFuture<Object> f = pool.submit(() -> {
                        throw bug();
                    });
                    f.whenComplete((v, e) -> pool.close());
                    return f;
                }));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("paths")
    void completesWithWhatTheUserCodeThrew(String name, Function<VirtualScheduler, CompletableFuture<?>> start)
            throws Exception {
        VirtualScheduler scheduler = new VirtualScheduler();
        CompletableFuture<?> future = start.apply(scheduler);
        scheduler.advance(Duration.ofSeconds(1)); // any backoff or timer due
        try {
            future.get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException expected) {
            // checked below
        }
        assertThat(future).as(name).isCompletedExceptionally();
        Throwable error = future.handle((v, e) -> e).join();
        Throwable root = error;
        while (root.getCause() != null && !BUG.equals(root.getMessage())) {
            root = root.getCause();
        }
        assertThat(root).as(name).hasMessage(BUG);
    }
}
