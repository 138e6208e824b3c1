package dev.bulwark.http.internal;

import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * Reads a response body into bytes, up to a limit: past it, reading stops (the subscription is
 * cancelled, so the connection is not drained) and the exchange fails with
 * {@link ResponseTooLargeException}.
 */
public final class LimitedBody implements HttpResponse.BodySubscriber<byte[]> {
    private final long limit;
    private final CompletableFuture<byte[]> result = new CompletableFuture<>();
    private final List<ByteBuffer> parts = new ArrayList<>();
    private long size;
    private Flow.Subscription subscription;

    private LimitedBody(long limit) {
        this.limit = limit;
    }

    /** A body handler whose bodies stop at {@code limit} bytes. */
    public static HttpResponse.BodyHandler<byte[]> handler(long limit) {
        return info -> new LimitedBody(limit);
    }

    @Override
    public CompletionStage<byte[]> getBody() {
        return result;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
        if (result.isDone()) {
            return;
        }
        for (ByteBuffer b : items) {
            size += b.remaining();
            parts.add(b);
        }
        if (size > limit) {
            parts.clear();
            subscription.cancel();
            result.completeExceptionally(new ResponseTooLargeException(limit));
        }
    }

    @Override
    public void onError(Throwable error) {
        parts.clear();
        result.completeExceptionally(error);
    }

    @Override
    public void onComplete() {
        byte[] all = new byte[(int) size];
        int at = 0;
        for (ByteBuffer b : parts) {
            int n = b.remaining();
            b.get(all, at, n);
            at += n;
        }
        parts.clear();
        result.complete(all);
    }
}
