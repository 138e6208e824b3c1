package dev.bulwark.call;

import dev.bulwark.CallContext;
import dev.bulwark.FailureClassifier;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The built chain of one pipeline or pool: its stages, outermost first, and the terminal that
 * makes the call itself. Immutable and shared by every call. A synchronous call walks its links
 * in a frame reused from the calling thread (no allocation); an asynchronous call walks its
 * stages in immutable invocations, one per position.
 */
final class Chain {
    final String name;
    final Stage[] stages;
    /** The synchronous links, one per stage and one for the terminal (last). */
    final Link[] links;
    final Terminal terminal;
    final FailureClassifier classifier;
    final List<String> warnings;

    Chain(String name, List<Stage> stages, Terminal terminal, FailureClassifier classifier, List<String> warnings) {
        this.name = name;
        this.stages = stages.toArray(new Stage[0]);
        this.terminal = terminal;
        this.links = new Link[this.stages.length + 1];
        Link next = new Link.End(this.stages.length, terminal);
        links[this.stages.length] = next;
        for (int i = this.stages.length - 1; i >= 0; i--) {
            Stage stage = this.stages[i];
            next = stage instanceof BuiltIn builtIn ? builtIn.link(i, next) : new Link.OfStage(i, stage);
            links[i] = next;
        }
        this.classifier = classifier;
        this.warnings = List.copyOf(warnings);
    }

    /** Runs {@code task} through every stage on this thread. */
    Object call(CallContext context, Object task) throws Exception {
        FrameStack stack = FrameStack.current();
        Frame frame = stack.push(this, context, task);
        try {
            return links[0].call(frame);
        } finally {
            stack.pop(frame);
        }
    }

    /** Starts {@code task} through every stage; never throws. */
    CompletableFuture<Object> callAsync(CallContext context, Object task) {
        return new AsyncInvocation(this, -1, context, null, 1, task, new CallState()).proceedAsync(context);
    }

    String stageName(int index) {
        return index < 0 ? "the caller" : index < stages.length ? stages[index].name() : "the call";
    }

    /** Makes the call itself at the end of the chain: a pipeline's task, a pool's client call. */
    interface Terminal {
        Object call(Invocation invocation, Object task) throws Exception;

        CompletableFuture<Object> callAsync(Invocation invocation, Object task);
    }
}
