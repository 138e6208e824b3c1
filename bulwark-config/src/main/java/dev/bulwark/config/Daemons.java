package dev.bulwark.config;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

/** The one thread a policy source reads and calls back on: a daemon, so it never holds the JVM open. */
final class Daemons {
    private Daemons() {
    }

    static ScheduledExecutorService single(String threadName) {
        return Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
    }
}
