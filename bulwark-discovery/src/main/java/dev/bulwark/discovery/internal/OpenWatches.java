package dev.bulwark.discovery.internal;

import dev.bulwark.discovery.Watch;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * A registry's open watches: each is kept from the moment it is made until it closes, so that
 * the registry can reach them all (to close them, or to tell them of its connection).
 *
 * @param <W> the backend's watch type
 */
public final class OpenWatches<W extends Watch> implements Iterable<W> {
    private final Set<W> open = ConcurrentHashMap.newKeySet();

    /**
     * Makes a watch with {@code factory}, handing it the action to run when it closes (forgetting
     * it, then {@code onClose}), and keeps it until then.
     */
    public W open(Function<Runnable, W> factory, Consumer<W> onClose) {
        AtomicReference<W> self = new AtomicReference<>();
        W watch = factory.apply(() -> {
            W closing = self.get();
            if (closing != null) {
                open.remove(closing);
                onClose.accept(closing);
            }
        });
        self.set(watch);
        open.add(watch);
        return watch;
    }

    /** As {@link #open(Function, Consumer)}, with nothing more to do on close. */
    public W open(Function<Runnable, W> factory) {
        return open(factory, w -> { });
    }

    /** Forgets {@code watch} without closing it (it failed to start). */
    public void forget(W watch) {
        open.remove(watch);
    }

    /** Closes every open watch. */
    public void closeAll() {
        List.copyOf(open).forEach(Watch::close);
    }

    @Override
    public Iterator<W> iterator() {
        return open.iterator();
    }
}
