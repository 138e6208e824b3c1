package dev.bulwark.call;

import dev.bulwark.BulwarkException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Turns an unexpected exception from user code into a {@link RecoveredException}; see
 * {@link Stages#recover()}.
 */
final class RecoverStage implements Stage, BuiltIn {

    @Override
    public Object call(Invocation invocation) throws Exception {
        try {
            return invocation.proceed();
        } catch (BulwarkException expected) {
            throw expected;
        } catch (RuntimeException | LinkageError | AssertionError unexpected) {
            throw new RecoveredException(invocation.chain(), endpointName(invocation), unexpected);
        }
    }

    @Override
    public Link link(int index, Link next) {
        return new Link(index) {
            @Override
            Object call(Frame frame) throws Exception {
                try {
                    return next.call(frame);
                } catch (BulwarkException expected) {
                    throw expected;
                } catch (RuntimeException | LinkageError | AssertionError unexpected) {
                    throw new RecoveredException(frame.chain(), endpointName(frame), unexpected);
                }
            }
        };
    }

    @Override
    public CompletableFuture<Object> callAsync(Invocation invocation) {
        return invocation.proceedAsync().handle((result, failure) -> {
            if (failure == null) {
                return result;
            }
            Throwable error = dev.bulwark.internal.Errors.unwrapCompletion(failure);
            if (!(error instanceof BulwarkException)
                    && (error instanceof RuntimeException || error instanceof LinkageError || error instanceof AssertionError)) {
                throw new RecoveredException(invocation.chain(), endpointName(invocation), error);
            }
            throw error instanceof CompletionException c ? c : new CompletionException(error);
        });
    }

    private static String endpointName(Invocation invocation) {
        return invocation.endpoint() == null ? "" : invocation.endpoint().name();
    }

    @Override
    public String name() {
        return "recover";
    }
}
