package dev.bulwark.call;

import dev.bulwark.FailureClassifier;
import dev.bulwark.Verdict;
import dev.bulwark.internal.Futures;
import dev.bulwark.time.Ticker;
import java.util.concurrent.CompletableFuture;

/** Tells an observer where each call starts and how it ends, on both faces, changing nothing. */
final class ObserverStage<S> implements Stage, BuiltIn {
    private static final System.Logger LOG = System.getLogger("dev.bulwark.call");

    private final String name;
    private final StageObserver<S> observer;
    private final Ticker ticker;

    ObserverStage(String name, StageObserver<S> observer, Ticker ticker) {
        this.name = name;
        this.observer = observer;
        this.ticker = ticker;
    }

    @Override
    public Object call(Invocation invocation) throws Exception {
        return observe((Frame) invocation, null);
    }

    /** One call observed; {@code next} null: proceed from the frame's own position. */
    private Object observe(Frame frame, Link next) throws Exception {
        long start = ticker.read();
        S state = start(frame);
        Object result;
        try {
            result = next == null ? frame.proceed() : next.call(frame);
        } catch (Throwable error) {
            end(frame, state, null, error, start);
            throw error;
        }
        end(frame, state, result, null, start);
        return result;
    }

    @Override
    public Link link(int index, Link next) {
        return new Link(index) {
            @Override
            Object call(Frame frame) throws Exception {
                return observe(frame, next);
            }
        };
    }

    @Override
    public CompletableFuture<Object> callAsync(Invocation invocation) {
        long start = ticker.read();
        S state = start(invocation);
        CompletableFuture<Object> inner = invocation.proceedAsync();
        inner.whenComplete((result, error) -> end(invocation, state, result, Futures.unwrap(error), start));
        return inner;
    }

    private S start(Invocation invocation) {
        try {
            return observer.onStart(invocation);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "observer '" + name + "' threw at the start of a call; ignored", e);
            return null;
        }
    }

    private void end(Invocation invocation, S state, Object result, Throwable error, long start) {
        try {
            FailureClassifier classifier = classifierOf(invocation);
            Verdict verdict = classifier.classify(result, error);
            observer.onEnd(invocation, state, result, error, verdict, ticker.read() - start);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "observer '" + name + "' threw at the end of a call; ignored", e);
        }
    }

    private static FailureClassifier classifierOf(Invocation invocation) {
        if (invocation instanceof Frame frame) {
            return frame.owner().classifier;
        }
        if (invocation instanceof AsyncInvocation call) {
            return call.owner().classifier;
        }
        return FailureClassifier.defaults();
    }

    @Override
    public String name() {
        return name;
    }
}
