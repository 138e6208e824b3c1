package dev.bulwark.grpc.internal;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Delivers one call's listener callbacks one at a time, in the order they were handed over, and
 * none after the call's close. A callback handed over on the call's own callback thread (an
 * attempt's listener) runs there at once when nothing is queued before it; one handed over from
 * elsewhere (a cancel, a retry's timer) runs on the call's executor, as grpc-java requires (a
 * blocking stub drains that executor on the thread that waits).
 */
final class SerialDelivery {
    private final Executor executor;
    private final ConcurrentLinkedQueue<Runnable> queue = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean draining = new AtomicBoolean();
    private volatile boolean closed;

    SerialDelivery(Executor executor) {
        this.executor = executor;
    }

    /** Hands over a callback; {@code onCallbackThread} says whether the caller is the call's callback thread. */
    void deliver(Runnable callback, boolean onCallbackThread) {
        queue.add(callback);
        if (onCallbackThread) {
            drain();
        } else {
            executor.execute(this::drain);
        }
    }

    /** Hands over the close: the last callback; anything handed over after it is dropped. */
    void close(Runnable onClose, boolean onCallbackThread) {
        deliver(() -> {
            if (!closed) {
                closed = true;
                onClose.run();
            }
        }, onCallbackThread);
    }

    private void drain() {
        while (!queue.isEmpty() && draining.compareAndSet(false, true)) {
            try {
                for (Runnable next; (next = queue.poll()) != null; ) {
                    if (!closed) {
                        next.run();
                    }
                }
            } finally {
                draining.set(false);
            }
        }
    }
}
