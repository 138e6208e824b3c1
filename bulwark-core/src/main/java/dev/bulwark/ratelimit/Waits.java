package dev.bulwark.ratelimit;

import dev.bulwark.time.Scheduler;

/** Waiting for a permit that was reserved ahead of time. */
final class Waits {
    private Waits() {
    }

    /** Sleeps {@code nanos}; false if interrupted (with the interrupt status set again). */
    static boolean sleep(Scheduler scheduler, long nanos) {
        if (nanos <= 0) {
            return true;
        }
        try {
            scheduler.sleep(nanos);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
