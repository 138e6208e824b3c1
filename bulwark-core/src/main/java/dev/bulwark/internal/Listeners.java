package dev.bulwark.internal;

import java.lang.reflect.Array;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A copy-on-write array of listeners. The call path checks {@link #any()} (one volatile read) and
 * iterates {@link #all()} without allocating; adding and removing copy the array by CAS, which is
 * rare. A listener that throws is logged through {@link System.Logger} and never breaks the call.
 */
public final class Listeners<L> {
    private static final System.Logger LOG = System.getLogger("dev.bulwark");

    private final L[] empty;
    private final AtomicReference<L[]> listeners;

    @SuppressWarnings("unchecked")
    public Listeners(Class<L> type) {
        this.empty = (L[]) Array.newInstance(type, 0);
        this.listeners = new AtomicReference<>(empty);
    }

    public boolean any() {
        return listeners.get().length != 0;
    }

    public L[] all() {
        return listeners.get();
    }

    public void add(L listener) {
        listeners.updateAndGet(current -> {
            L[] next = Arrays.copyOf(current, current.length + 1);
            next[current.length] = listener;
            return next;
        });
    }

    public void remove(L listener) {
        listeners.updateAndGet(current -> {
            for (int i = 0; i < current.length; i++) {
                if (current[i] == listener) {
                    L[] next = Arrays.copyOf(current, current.length - 1);
                    System.arraycopy(current, i + 1, next, i, current.length - i - 1);
                    return next.length == 0 ? empty : next;
                }
            }
            return current;
        });
    }

    public void failed(L listener, RuntimeException error) {
        LOG.log(System.Logger.Level.WARNING, "listener " + listener + " threw; ignored", error);
    }
}
