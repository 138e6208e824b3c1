package dev.bulwark.config;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;

/** A policy source's open watches and the one thread they run on: started, closed, and all closed with the source. */
final class Watches {
    private final ScheduledExecutorService events;
    private final Set<Runnable> open = ConcurrentHashMap.newKeySet();

    Watches(String threadName) {
        this.events = Daemons.single(threadName);
    }

    ScheduledExecutorService events() {
        return events;
    }

    /** Runs {@code start} on the events thread; the subscription (or closing the source) runs {@code close} there, once. */
    PolicySource.Subscription start(Runnable start, Runnable close) {
        open.add(close);
        Daemons.submit(events, start);
        return () -> {
            if (open.remove(close)) {
                Daemons.submit(events, close);
            }
        };
    }

    /** Closes every open watch, then stops the thread once they have run their close. */
    void closeAll() {
        for (Runnable close : open) {
            if (open.remove(close)) {
                Daemons.submit(events, close);
            }
        }
        Daemons.drainAndStop(events);
    }
}
