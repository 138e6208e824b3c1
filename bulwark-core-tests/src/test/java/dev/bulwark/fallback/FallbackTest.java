package dev.bulwark.fallback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.CallFailedException;
import dev.bulwark.bulkhead.BulkheadFullException;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class FallbackTest {

    @Test
    void aSuccessPassesThroughWithoutTheHandler() {
        AtomicInteger handled = new AtomicInteger();
        Fallback<String> fallback = Fallback.of(e -> {
            handled.incrementAndGet();
            return "fallback";
        });

        assertThat(fallback.call(() -> "real")).isEqualTo("real");
        assertThat(handled).hasValue(0);
    }

    @Test
    void aFailureIsAnsweredByTheHandlerWhichSeesTheError() {
        AtomicReference<Throwable> seen = new AtomicReference<>();
        Fallback<String> fallback = Fallback.of(e -> {
            seen.set(e);
            return "popular";
        });
        IllegalStateException boom = new IllegalStateException("boom");

        assertThat(fallback.call(() -> {
            throw boom;
        })).isEqualTo("popular");
        assertThat(seen.get()).isSameAs(boom);
    }

    @Test
    void checkedFailuresAndRejectionsAreAnsweredToo() {
        Fallback<String> fallback = Fallback.of(e -> e.getClass().getSimpleName());

        assertThat(fallback.call(() -> {
            throw new IOException("io");
        })).isEqualTo("IOException");
        assertThat(fallback.call(() -> {
            throw new BulkheadFullException("b", "max 1 concurrent", 0);
        })).isEqualTo("BulkheadFullException");
    }

    @Test
    void valueAnswersEveryFailureWithTheSameValue() {
        Fallback<Integer> fallback = Fallback.value(0);

        assertThat(fallback.call(() -> 7)).isEqualTo(7);
        assertThat(fallback.call(() -> {
            throw new IllegalStateException();
        })).isZero();
        assertThat(fallback.apply(new RuntimeException())).isZero();
    }

    @Test
    void aNullFallbackValueIsAllowed() {
        Fallback<String> fallback = Fallback.value(null);

        assertThat(fallback.call(() -> {
            throw new IllegalStateException();
        })).isNull();
    }

    @Test
    void whenLimitsTheFallbackToMatchingFailures() {
        Fallback<String> fallback = Fallback.<String>of(e -> "fallback").when(e -> e instanceof IOException);
        IllegalStateException unmatched = new IllegalStateException("not mine");

        assertThat(fallback.call(() -> {
            throw new IOException("io");
        })).isEqualTo("fallback");
        assertThatThrownBy(() -> fallback.call(() -> {
            throw unmatched;
        })).isSameAs(unmatched);
        assertThat(fallback.handles(new IOException())).isTrue();
        assertThat(fallback.handles(unmatched)).isFalse();
    }

    @Test
    void anUnmatchedCheckedFailureIsWrappedInCallFailedException() {
        Fallback<String> fallback = Fallback.<String>of(e -> "fallback").when(e -> e instanceof IllegalStateException);
        IOException io = new IOException("io");

        assertThatThrownBy(() -> fallback.call(() -> {
            throw io;
        })).isInstanceOf(CallFailedException.class).hasCause(io);
    }

    @Test
    void whenReturnsANewFallbackAndLeavesTheOriginalAnsweringEverything() {
        Fallback<String> all = Fallback.of(e -> "fallback");
        Fallback<String> some = all.when(e -> false);

        assertThat(some).isNotSameAs(all);
        assertThat(all.handles(new IllegalStateException())).isTrue();
        assertThat(some.handles(new IllegalStateException())).isFalse();
    }

    @Test
    void handlesAndApplyLookThroughCompletionException() {
        AtomicReference<Throwable> seen = new AtomicReference<>();
        Fallback<String> fallback = Fallback.<String>of(e -> {
            seen.set(e);
            return "fallback";
        }).when(e -> e instanceof IOException);
        IOException io = new IOException("io");
        CompletionException wrapped = new CompletionException(io);

        assertThat(fallback.handles(wrapped)).isTrue();
        assertThat(fallback.apply(wrapped)).isEqualTo("fallback");
        assertThat(seen.get()).isSameAs(io);
    }

    @Test
    void aHandlerThatThrowsPropagatesItsOwnException() {
        IllegalArgumentException handlerError = new IllegalArgumentException("handler broke");
        Fallback<String> fallback = Fallback.of(e -> {
            throw handlerError;
        });

        assertThatThrownBy(() -> fallback.call(() -> {
            throw new IllegalStateException();
        })).isSameAs(handlerError);
    }

    @Test
    void callAsyncPassesASuccessThrough() {
        Fallback<String> fallback = Fallback.value("fallback");
        CompletableFuture<String> source = new CompletableFuture<>();

        CompletableFuture<String> result = fallback.callAsync(() -> source);
        assertThat(result).isNotDone();
        source.complete("real");

        assertThat(result).isCompletedWithValue("real");
    }

    @Test
    void callAsyncAnswersAFailedStage() {
        AtomicReference<Throwable> seen = new AtomicReference<>();
        Fallback<String> fallback = Fallback.of(e -> {
            seen.set(e);
            return "fallback";
        });
        CompletableFuture<String> source = new CompletableFuture<>();
        IllegalStateException boom = new IllegalStateException("boom");

        CompletableFuture<String> result = fallback.callAsync(() -> source);
        source.completeExceptionally(boom);

        assertThat(result).isCompletedWithValue("fallback");
        assertThat(seen.get()).isSameAs(boom);
    }

    @Test
    void callAsyncUnwrapsTheCompletionExceptionOfADerivedStage() {
        AtomicReference<Throwable> seen = new AtomicReference<>();
        Fallback<String> fallback = Fallback.<String>of(e -> {
            seen.set(e);
            return "fallback";
        }).when(e -> e instanceof IllegalStateException);
        CompletableFuture<String> source = new CompletableFuture<>();
        IllegalStateException boom = new IllegalStateException("boom");

        // thenApply's stage fails with a CompletionException wrapping boom
        CompletableFuture<String> result = fallback.callAsync(() -> source.thenApply(s -> s + "!"));
        source.completeExceptionally(boom);

        assertThat(result).isCompletedWithValue("fallback");
        assertThat(seen.get()).isSameAs(boom);
    }

    @Test
    void callAsyncLetsAnUnmatchedFailureThrough() {
        Fallback<String> fallback = Fallback.<String>of(e -> "fallback").when(e -> e instanceof IOException);
        IllegalStateException boom = new IllegalStateException("boom");

        CompletableFuture<String> result = fallback.callAsync(() -> CompletableFuture.failedFuture(boom));

        assertThat(result).isCompletedExceptionally();
        assertThatThrownBy(result::join).isInstanceOf(CompletionException.class).hasCause(boom);
    }

    @Test
    void callAsyncTreatsAThrowingSupplierAsAFailure() {
        Fallback<String> fallback = Fallback.value("fallback");

        CompletableFuture<String> result = fallback.callAsync(() -> {
            throw new IllegalStateException("no stage");
        });

        assertThat(result).isCompletedWithValue("fallback");
    }

    @Test
    void callAsyncFailsWithTheHandlersExceptionWhenTheHandlerThrows() {
        IllegalArgumentException handlerError = new IllegalArgumentException("handler broke");
        Fallback<String> fallback = Fallback.of(e -> {
            throw handlerError;
        });

        CompletableFuture<String> result = fallback.callAsync(
                () -> CompletableFuture.failedFuture(new IllegalStateException()));

        assertThatThrownBy(result::join).hasCause(handlerError);
    }
}
