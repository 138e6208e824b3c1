package dev.bulwark.call;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.CallContext;
import dev.bulwark.retry.Retry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** What a stage may do with its invocation, and the clear error when it does what it may not. */
class StageContractTest {
    private final AtomicInteger inner = new AtomicInteger();
    private final AtomicInteger task = new AtomicInteger();

    private final Stage counting = new Stage() {
        @Override
        public Object call(Invocation invocation) throws Exception {
            inner.incrementAndGet();
            return invocation.proceed();
        }

        @Override
        public CompletableFuture<Object> callAsync(Invocation invocation) {
            inner.incrementAndGet();
            return invocation.proceedAsync();
        }

        @Override
        public String name() {
            return "counting";
        }
    };

    @Test
    void proceedingTwiceRunsTheWholeInnerChainTwice() {
        List<String> contexts = new ArrayList<>();
        CallContext.Key<String> mark = CallContext.key("mark");
        Stage twice = invocation -> {
            Object first = invocation.proceed(invocation.context().with(mark, "first"));
            Object second = invocation.proceed();
            return first + "+" + second;
        };
        Stage reader = invocation -> {
            contexts.add(String.valueOf(invocation.context().get(mark)));
            return invocation.proceed();
        };
        Pipeline<String> pipeline = Pipeline.<String>builder("p").stages(twice, counting, reader).build();

        String answer = pipeline.call(() -> "t" + task.incrementAndGet());

        assertThat(answer).isEqualTo("t1+t2");
        assertThat(inner).as("the inner stage ran for each proceed").hasValue(2);
        assertThat(contexts).as("the second proceed sees the context as the stage itself has it").containsExactly("first", "null");
    }

    @Test
    void proceedingTwiceAsynchronouslyRunsTheWholeInnerChainTwice() {
        Stage twice = new Stage() {
            @Override
            public Object call(Invocation invocation) {
                throw new AssertionError("async only");
            }

            @Override
            public CompletableFuture<Object> callAsync(Invocation invocation) {
                return invocation.proceedAsync().thenCompose(first -> invocation.proceedAsync()
                        .thenApply(second -> first + "+" + second));
            }
        };
        Pipeline<String> pipeline = Pipeline.<String>builder("p").stages(twice, counting).build();

        CompletableFuture<String> answer = pipeline.callAsync(() -> CompletableFuture.completedFuture("t" + task.incrementAndGet()));

        assertThat(answer).isCompletedWithValue("t1+t2");
        assertThat(inner).hasValue(2);
    }

    @Test
    void aStageAnsweringWithoutProceedingEndsTheChainThere() {
        Pipeline<String> pipeline = Pipeline.<String>builder("p").stages(invocation -> "cached", counting).build();
        assertThat(pipeline.call(() -> "fresh")).isEqualTo("cached");
        assertThat(inner).hasValue(0);
    }

    @Test
    void theWrongFaceIsAClearErrorNamingTheStage() {
        Stage syncInAsync = new Stage() {
            @Override
            public Object call(Invocation invocation) throws Exception {
                return invocation.proceed();
            }

            @Override
            public CompletableFuture<Object> callAsync(Invocation invocation) {
                try {
                    return CompletableFuture.completedFuture(invocation.proceed());
                } catch (Exception e) {
                    return CompletableFuture.failedFuture(e);
                }
            }

            @Override
            public String name() {
                return "mixed-up";
            }
        };
        CompletableFuture<String> async = Pipeline.<String>builder("p").stages(syncInAsync).build()
                .callAsync(() -> CompletableFuture.completedFuture("x"));
        assertThatThrownBy(async::join).hasRootCauseInstanceOf(StageContractException.class)
                .hasRootCauseMessage("stage 'mixed-up' called proceed() in an asynchronous call of 'p': call proceedAsync()");

        Stage asyncInSync = Stage.named("hurried", invocation -> invocation.proceedAsync().join());
        assertThatThrownBy(() -> Pipeline.<String>builder("p").stages(asyncInSync).build().call(() -> "x"))
                .hasRootCauseMessage("stage 'hurried' called proceedAsync() in a synchronous call of 'p': call proceed()");
    }

    @Test
    void aStageThatReturnsNoFutureIsNamed() {
        Stage broken = new Stage() {
            @Override
            public Object call(Invocation invocation) throws Exception {
                return invocation.proceed();
            }

            @Override
            public CompletableFuture<Object> callAsync(Invocation invocation) {
                return null;
            }

            @Override
            public String name() {
                return "forgetful";
            }
        };
        CompletableFuture<String> async = Pipeline.<String>builder("p").stages(broken).build()
                .callAsync(() -> CompletableFuture.completedFuture("x"));
        assertThatThrownBy(async::join).hasRootCauseMessage("stage 'forgetful' of 'p' returned no future");
    }

    @Test
    void aStageThatThrowsInItsAsyncFaceFailsTheFuture() {
        Stage throwing = new Stage() {
            @Override
            public Object call(Invocation invocation) {
                throw new IllegalStateException("sync bug");
            }

            @Override
            public CompletableFuture<Object> callAsync(Invocation invocation) {
                throw new IllegalStateException("async bug");
            }
        };
        CompletableFuture<String> async = Pipeline.<String>builder("p").stages(throwing).build()
                .callAsync(() -> CompletableFuture.completedFuture("x"));
        assertThat(async).isCompletedExceptionally();
        assertThatThrownBy(async::join).hasRootCauseMessage("async bug");
    }

    @Test
    void anInvocationUsedAfterItsCallEndedSaysSo() {
        Invocation[] kept = new Invocation[1];
        Pipeline<String> pipeline = Pipeline.<String>builder("p").stages(invocation -> {
            kept[0] = invocation;
            return invocation.proceed();
        }).build();
        pipeline.call(() -> "x");
        assertThatThrownBy(() -> kept[0].proceed()).isInstanceOf(StageContractException.class)
                .hasMessageContaining("a call that has ended");
    }

    @Test
    void orderAdviceWarnsAboutAPickOutsideTheRetry() {
        ClientPool<String> pool = ClientPool.<String>builder("p")
                .stages(Stages.pick(), Stages.retry(Retry.builder("r").build()))
                .build();
        assertThat(pool.warnings()).anyMatch(w -> w.startsWith("RETRY inside PICK: every attempt goes to the endpoint"));
        assertThatThrownBy(() -> ClientPool.<String>builder("p").stages(Stages.retry(Retry.builder("r").build())).build())
                .hasMessageContaining("exactly one Stages.pick() in a pool's stages");
    }

    @Test
    void nestedCallsOnOneThreadKeepTheirOwnFrames() {
        Pipeline<String> innerPipeline = Pipeline.<String>builder("inner").stages(counting).build();
        List<String> seen = new ArrayList<>();
        Pipeline<String> outer = Pipeline.<String>builder("outer").stages(invocation -> {
            Object result = invocation.proceed();
            seen.add(invocation.chain() + " after " + result);
            return result;
        }).build();
        String answer = outer.call(() -> "outer(" + innerPipeline.call(() -> "inner") + ")");
        assertThat(answer).isEqualTo("outer(inner)");
        assertThat(seen).containsExactly("outer after outer(inner)");
    }
}
