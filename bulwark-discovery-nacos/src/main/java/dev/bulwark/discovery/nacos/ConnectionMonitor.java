package dev.bulwark.discovery.nacos;

import com.alibaba.nacos.api.naming.NamingService;
import dev.bulwark.time.Scheduler;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;

/**
 * Notices when nacos-client loses and regains its connection, which its naming API reports only
 * as a status ({@link NamingService#getServerStatus()}: UP or DOWN), by checking that status
 * periodically. The scheduler only times the checks: each runs on {@code checks}, because when
 * the gRPC connection is down nacos-client asks the server over HTTP, which may block.
 */
final class ConnectionMonitor {
    private final NamingService naming;
    private final Scheduler scheduler;
    private final long intervalNanos;
    private final Executor checks;
    private final Consumer<Boolean> onChange;
    private volatile boolean stopped;
    private volatile Scheduler.Cancellable next;
    private boolean up = true; // touched by the checks, one at a time

    /** @param onChange called with {@code false} when the connection is lost, {@code true} when it is back */
    ConnectionMonitor(NamingService naming, Scheduler scheduler, long intervalNanos, Executor checks, Consumer<Boolean> onChange) {
        this.naming = naming;
        this.scheduler = scheduler;
        this.intervalNanos = intervalNanos;
        this.checks = checks;
        this.onChange = onChange;
    }

    ConnectionMonitor start() {
        schedule();
        return this;
    }

    void stop() {
        stopped = true;
        Scheduler.Cancellable scheduled = next;
        if (scheduled != null) {
            scheduled.cancel();
        }
    }

    /** Checks the status now; a change from the last check is reported. */
    void check() {
        boolean now;
        try {
            now = "UP".equals(naming.getServerStatus());
        } catch (RuntimeException e) {
            now = false;
        }
        if (now != up && !stopped) {
            up = now;
            onChange.accept(now);
        }
    }

    private void schedule() {
        if (stopped) {
            return;
        }
        next = scheduler.schedule(() -> {
            try {
                checks.execute(() -> {
                    try {
                        check();
                    } finally {
                        schedule();
                    }
                });
            } catch (RejectedExecutionException e) {
                stopped = true; // the registry closed
            }
        }, intervalNanos);
    }
}
