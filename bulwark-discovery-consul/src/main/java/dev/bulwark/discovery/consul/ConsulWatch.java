package dev.bulwark.discovery.consul;

import dev.bulwark.discovery.RegistryEvent;
import dev.bulwark.discovery.ServiceInstance;
import dev.bulwark.discovery.Watch;
import dev.bulwark.discovery.WatchListener;
import dev.bulwark.time.Scheduler;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.kiwiproject.consul.Consul;

/**
 * One service's watch: a daemon thread asking Consul's health endpoint in blocking queries
 * ({@code ?index=<last X-Consul-Index>&wait=<watch-wait>}), each answer diffed against the one
 * before into CREATED, UPDATED and DELETED events.
 *
 * <p><b>What a diff can and cannot tell.</b> Consul answers with the service's state, not its
 * history: several changes between two answers arrive as one (an instance created and deleted in
 * between is never seen, two updates read as one). Changes made through the same
 * {@link ConsulRegistry} are not lost that way: its writes wait until its own watches of the
 * service have delivered them ({@link #awaitIndex}).
 *
 * <p><b>Outages lose nothing.</b> When a query fails the listener hears {@code onDisconnected},
 * the watch retries with backoff ({@link Backoff}) with a plain query, diffs the first answer
 * against the last state it delivered, so every difference the outage hid is delivered, and then
 * reports {@code onResumed(true)}. Only when it never had a state to diff against (Consul was
 * down when the watch started) does it report {@code onResumed(false)}: re-read in full.
 *
 * <p><b>Consul's rules for blocking queries</b> are kept: an index that goes backwards (a Consul
 * restarted without its data) is taken as the new base, an index of 0 is treated as 1, and an
 * answer that came back at once without the index moving is followed by a short pause.
 *
 * <p>Every callback runs on this watch's thread, one at a time, in order. The watch has its own
 * consul-client, so that closing it cancels its waiting query at once.
 */
final class ConsulWatch implements Watch {
    private static final System.Logger LOG = System.getLogger("dev.bulwark.discovery.consul");
    private static final AtomicInteger THREADS = new AtomicInteger();
    /** An answer faster than this, with the index unmoved, was a spurious wake-up: pause this long. */
    private static final long SPURIOUS_NANOS = 50_000_000L;

    private final String service;
    private final WatchListener listener;
    private final Consul client;
    private final HealthReader reader;
    private final int waitSeconds;
    private final Scheduler scheduler;
    private final Runnable onClose;
    private final Thread thread;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition progressed = lock.newCondition();
    private volatile boolean closed;
    private volatile CountDownLatch pausing;

    // Written by the watch thread; guarded by lock where other threads read them (awaitIndex).
    private long index;
    private boolean down;

    // Confined to the watch thread.
    /** What the listener was last told, by id; null when it was never known (first read failed). */
    private Map<String, ServiceInstance> known;
    private boolean incomplete;
    private int failures;
    private Throwable startError;

    /**
     * A watch continuing from {@code initial} (read when the watch was asked for), or, if that
     * read failed with {@code error}, reporting a disconnect first.
     */
    ConsulWatch(String service, WatchListener listener, Consul client, HealthReader reader, int waitSeconds,
            Scheduler scheduler, HealthReader.Answer initial, Throwable error, Runnable onClose) {
        this.service = service;
        this.listener = listener;
        this.client = client;
        this.reader = reader;
        this.waitSeconds = waitSeconds;
        this.scheduler = scheduler;
        this.onClose = onClose;
        if (initial != null) {
            this.known = Map.copyOf(initial.instances());
            this.index = Math.max(initial.index(), 1);
        } else {
            this.startError = error;
            this.down = true; // writers must not wait for a watch that has not reached Consul yet
        }
        this.thread = new Thread(this::run, "bulwark-consul-watch-" + service + "-" + THREADS.incrementAndGet());
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /**
     * Waits until this watch has delivered everything up to Consul index {@code target}, it is
     * closed or down, or {@code timeoutNanos} pass; returns at once on the watch's own thread
     * (a listener writing from its callback must not wait for itself).
     *
     * @return whether the watch got there
     */
    boolean awaitIndex(long target, long timeoutNanos) {
        if (Thread.currentThread() == thread) {
            return false;
        }
        lock.lock();
        try {
            long remaining = timeoutNanos;
            while (!closed && !down && index < target) {
                if (remaining <= 0) {
                    return false;
                }
                remaining = progressed.awaitNanos(remaining);
            }
            return index >= target;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            lock.unlock();
        }
    }

    String service() {
        return service;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        CountDownLatch pause = pausing;
        if (pause != null) {
            pause.countDown();
        }
        onClose.run();
        client.destroy(); // cancels the query it is waiting in
        signal();
    }

    private void run() {
        boolean blocking = known != null;
        if (startError != null) {
            setDown(false); // so that failed() reports the disconnect
            blocking = failed(startError);
        }
        while (!closed) {
            long started = System.nanoTime(); // a real network wait, not scheduled time
            try {
                HealthReader.Answer answer = blocking ? reader.await(client, service, index, waitSeconds) : reader.read(client, service);
                if (closed) {
                    break;
                }
                boolean moved = answer.index() != index;
                apply(answer);
                blocking = true;
                resumeIfDown();
                if (!moved && System.nanoTime() - started < SPURIOUS_NANOS) {
                    pause(SPURIOUS_NANOS);
                }
            } catch (RuntimeException e) {
                if (closed) {
                    break;
                }
                blocking = failed(e);
            }
        }
    }

    /** Diffs {@code answer} against what the listener knows, delivers the differences, then moves the index. */
    private void apply(HealthReader.Answer answer) {
        Map<String, ServiceInstance> next = answer.instances();
        if (known != null) {
            List<RegistryEvent> events = new ArrayList<>();
            for (ServiceInstance now : next.values()) {
                ServiceInstance before = known.get(now.id());
                if (before == null) {
                    events.add(RegistryEvent.created(now));
                } else if (!before.equals(now)) {
                    events.add(RegistryEvent.updated(now));
                }
            }
            for (ServiceInstance before : known.values()) { // deletions last: a replacement never empties the list first
                if (!next.containsKey(before.id())) {
                    events.add(RegistryEvent.deleted(service, before.id(), before));
                }
            }
            for (RegistryEvent event : events) {
                deliver(() -> listener.onEvent(event));
            }
        }
        known = Map.copyOf(next);
        long reached = Math.max(answer.index(), 1); // Consul's rules: 0 is never a valid index to block on
        lock.lock();
        try {
            if (reached < index) {
                LOG.log(System.Logger.Level.INFO, "Consul index of '" + service + "' went back from " + index + " to "
                        + reached + " (Consul restarted without its data?); continuing from there");
            }
            index = reached;
            progressed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void resumeIfDown() {
        if (!isDown()) {
            return;
        }
        boolean complete = !incomplete;
        incomplete = false;
        failures = 0;
        setDown(false);
        LOG.log(System.Logger.Level.INFO, "Consul watch of '" + service + "' resumed"
                + (complete ? "; missed changes delivered" : " without a state to compare with; a full read is due"));
        deliver(() -> listener.onResumed(complete));
    }

    /** Reports the failure (once per outage), waits a backoff; the next query is a plain one. */
    private boolean failed(Throwable cause) {
        failures++;
        if (known == null) {
            incomplete = true;
        }
        if (!isDown()) {
            setDown(true);
            LOG.log(System.Logger.Level.WARNING, "Consul watch of '" + service + "' lost (" + cause + "); retrying");
            deliver(() -> listener.onDisconnected(cause));
        } else {
            LOG.log(System.Logger.Level.DEBUG, "Consul watch of '" + service + "' still down: " + cause);
        }
        pause(dev.bulwark.discovery.internal.Reconnect.delayNanos(failures));
        return false;
    }

    private boolean isDown() {
        lock.lock();
        try {
            return down;
        } finally {
            lock.unlock();
        }
    }

    private void setDown(boolean value) {
        lock.lock();
        try {
            down = value;
            progressed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void signal() {
        lock.lock();
        try {
            progressed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Waits {@code nanos} of the scheduler's time, or until the watch closes. */
    private void pause(long nanos) {
        CountDownLatch latch = new CountDownLatch(1);
        pausing = latch;
        if (closed) {
            return;
        }
        Scheduler.Cancellable timer = scheduler.schedule(latch::countDown, nanos);
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            close();
        } finally {
            timer.cancel();
        }
    }

    private void deliver(Runnable callback) {
        if (closed) {
            return;
        }
        try {
            callback.run();
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "watch listener of '" + service + "' threw; ignored", e);
        }
    }

    @Override
    public String toString() {
        return "ConsulWatch{" + service + ", index " + index + (closed ? ", closed" : "") + "}";
    }
}
