package dev.bulwark.call;

import dev.bulwark.fallback.Fallback;
import java.util.concurrent.CompletableFuture;

/** Answers the failures a fallback handles, rejections included. */
final class FallbackStage implements Stage, BuiltIn {
    private final Fallback<?> fallback;

    FallbackStage(Fallback<?> fallback) {
        this.fallback = fallback;
    }

    @Override
    public Object call(Invocation invocation) throws Exception {
        try {
            return invocation.proceed();
        } catch (Throwable error) {
            if (fallback.handles(error)) {
                return fallback.apply(error);
            }
            throw error;
        }
    }

    @Override
    public Link link(int index, Link next) {
        return new Link(index) {
            @Override
            Object call(Frame frame) throws Exception {
                try {
                    return next.call(frame);
                } catch (Throwable error) {
                    if (fallback.handles(error)) {
                        return fallback.apply(error);
                    }
                    throw error;
                }
            }
        };
    }

    @Override
    @SuppressWarnings("unchecked")
    public CompletableFuture<Object> callAsync(Invocation invocation) {
        return ((Fallback<Object>) fallback).callAsync(invocation::proceedAsync);
    }

    @Override
    public StageKind kind() {
        return StageKind.FALLBACK;
    }
}
