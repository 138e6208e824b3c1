package dev.bulwark.call;

import dev.bulwark.internal.Check;
import java.util.concurrent.CompletableFuture;

/**
 * One step of a protected call: it receives the call and proceeds with it, as OkHttp's
 * {@code Interceptor}. Every built-in policy (retry, limiter, bulkhead, breaker, the endpoint
 * pick, timeout, fallback, stale cache) is a stage, and a stage of your own goes in the same list.
 *
 * <p>A stage has two faces. {@link #call} handles a synchronous call: it normally returns
 * {@code invocation.proceed()}, perhaps with work around it, or answers without proceeding. It is
 * the one abstract method, so a lambda is a stage:
 * <pre>{@code
 * Stage audit = invocation -> {
 *     System.out.println("calling " + invocation.chain() + ", attempt " + invocation.attempt());
 *     return invocation.proceed();
 * };
 * }</pre>
 * {@link #callAsync} handles an asynchronous call and must never block: it returns
 * {@code invocation.proceedAsync()}, perhaps with stages of work chained on it. A stage that does
 * not implement it fails asynchronous calls with a clear error naming it;
 * {@link Stages#observing} builds a stage with both faces from two callbacks (start, end).
 *
 * <p>Proceeding twice runs the whole inner chain twice (that is how retry works); an invocation is
 * valid only while its stage runs.
 */
@FunctionalInterface
public interface Stage {

    /** Handles a synchronous call; normally returns {@code invocation.proceed()}. */
    Object call(Invocation invocation) throws Exception;

    /**
     * Handles an asynchronous call without blocking; normally returns {@code invocation.proceedAsync()}.
     * The default fails the call with a {@link StageContractException}: this stage has no asynchronous face.
     */
    default CompletableFuture<Object> callAsync(Invocation invocation) {
        return CompletableFuture.failedFuture(new StageContractException(name(), "stage '" + name()
                + "' has no asynchronous face: implement Stage.callAsync, or build it with Stages.observing"));
    }

    /** What kind of stage this is: a built-in policy, or {@link StageKind#CUSTOM}. Order advice reads it. */
    default StageKind kind() {
        return StageKind.CUSTOM;
    }

    /** A name for messages and errors; give lambdas one with {@link #named(String, Stage)}. */
    default String name() {
        return kind() == StageKind.CUSTOM ? getClass().getName() : kind().name();
    }

    /** {@code stage} under {@code name}, with both its faces. */
    static Stage named(String name, Stage stage) {
        return new NamedStage(Check.name("name", name), Check.notNull("stage", stage));
    }
}
