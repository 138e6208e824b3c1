package dev.bulwark.call;

import dev.bulwark.FailureClassifier;
import dev.bulwark.Verdict;
import dev.bulwark.internal.Futures;
import dev.bulwark.time.Ticker;
import java.util.concurrent.CompletableFuture;

/** Tells an observer where each call starts and how it ends, on both faces, changing nothing. */
final class ObserverStage<S> implements Stage {
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
        long start = ticker.read();
        S state = start(invocation);
        Object result;
        try {
            result = invocation.proceed();
        } catch (Throwable error) {
            end(invocation, state, null, error, start);
            throw error;
        }
        end(invocation, state, result, null, start);
        return result;
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
