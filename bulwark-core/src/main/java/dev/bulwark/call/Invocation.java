package dev.bulwark.call;

import dev.bulwark.CallContext;
import java.util.concurrent.CompletableFuture;

/**
 * One call at one position of its chain, as a {@link Stage} sees it: what is being called, with
 * what context, on which endpoint, at which attempt, and the way on. Immutable per position:
 * proceeding twice runs the whole inner chain twice. Valid only while the stage handling it runs.
 */
public interface Invocation {

    /** The name of the pipeline or pool making the call. */
    String chain();

    /** The call's context: deadline and attributes, as the stages before this one left it. */
    CallContext context();

    /** The endpoint chosen for this attempt; {@code null} before the pick stage, or in a chain without one. */
    dev.bulwark.balance.Endpoint endpoint();

    /** Which attempt this is, 1 for the first; a retry stage counts up for the stages inside it. */
    int attempt();

    /** Whether this is an asynchronous call (use {@link #proceedAsync()}) or a synchronous one ({@link #proceed()}). */
    boolean isAsync();

    /**
     * Runs the rest of the chain and, at its end, the call itself; returns its result.
     *
     * @throws StageContractException in an asynchronous call
     */
    Object proceed() throws Exception;

    /** As {@link #proceed()}, with {@code context} for the stages inside (a tighter deadline, an attribute). */
    Object proceed(CallContext context) throws Exception;

    /**
     * Starts the rest of the chain and, at its end, the call itself. Never throws: a failure fails
     * the returned future. In a synchronous call the future fails with a {@link StageContractException}.
     */
    CompletableFuture<Object> proceedAsync();

    /** As {@link #proceedAsync()}, with {@code context} for the stages inside. */
    CompletableFuture<Object> proceedAsync(CallContext context);
}
