package dev.bulwark.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;

/** A policy source's open watches and the one thread they run on: started, closed, and all closed with the source. */
final class Watches {
    private final ScheduledExecutorService events;
    private final Set<Once> open = ConcurrentHashMap.newKeySet();

    /** A watch's close, run once wherever it runs first. */
    private static final class Once implements Runnable {
        private final Runnable close;
        private final AtomicBoolean ran = new AtomicBoolean();

        Once(Runnable close) {
            this.close = close;
        }

        @Override
        public void run() {
            if (ran.compareAndSet(false, true)) {
                close.run();
            }
        }
    }

    Watches(String threadName) {
        this.events = Daemons.single(threadName);
    }

    ScheduledExecutorService events() {
        return events;
    }

    /** Runs {@code start} on the events thread; the subscription (or closing the source) runs {@code close} there, once. */
    PolicySource.Subscription start(Runnable start, Runnable close) {
        Once once = new Once(close);
        open.add(once);
        Daemons.submit(events, start);
        return () -> {
            if (open.remove(once)) {
                Daemons.submit(events, once);
            }
        };
    }

    /**
     * Closes every open watch, then stops the thread once they have run their close. A close the
     * thread did not get to (stuck in a slow call to the center, it was stopped) runs here, so no
     * watch is left registered with a client that outlives the source.
     */
    void closeAll() {
        List<Once> closing = new ArrayList<>();
        for (Once once : open) {
            if (open.remove(once)) {
                closing.add(once);
                Daemons.submit(events, once);
            }
        }
        Daemons.drainAndStop(events);
        closing.forEach(Once::run);
    }
}
