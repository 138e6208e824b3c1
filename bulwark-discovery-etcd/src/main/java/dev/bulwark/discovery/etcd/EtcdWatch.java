package dev.bulwark.discovery.etcd;

import dev.bulwark.discovery.RegistryEvent;
import dev.bulwark.discovery.RegistryException;
import dev.bulwark.discovery.ServiceInstance;
import dev.bulwark.discovery.Watch;
import dev.bulwark.discovery.WatchListener;
import dev.bulwark.time.Scheduler;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.common.exception.CompactedException;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * One service's watch: a jetcd watch on the service's key prefix, its events turned into
 * {@link RegistryEvent}s, and a resume after every failure that starts at the revision after the
 * last one delivered, so that nothing between the disconnect and the resume is skipped.
 *
 * <p>jetcd retries a failed watch by itself, but from the revision its server last reported in
 * a "created" answer, which can be past events not yet delivered when the stream broke; so this
 * class closes jetcd's watcher on its first error and opens a new one itself, from
 * {@code lastRevision + 1}. Before that it reads at {@code lastRevision}: if etcd has compacted
 * it away, the new watch starts from now and the listener hears {@code onResumed(false)}
 * (re-read in full); otherwise {@code onResumed(true)} once the new watch is in place. (etcd
 * would accept a watch from a compacted revision and cancel it only afterwards, so without the
 * read the listener would hear a resume it cannot trust.)
 *
 * <p>Every callback and every change of state happens on the registry's single event thread:
 * the listener hears one thing at a time, in order, and never on a gRPC thread.
 */
final class EtcdWatch implements Watch {
    private static final System.Logger LOG = System.getLogger("dev.bulwark.discovery.etcd");

    private final String service;
    private final ByteSequence prefix;
    private final WatchListener listener;
    private final io.etcd.jetcd.Watch client;
    private final KV kv;
    private final Duration timeout;
    private final Decoder decoder;
    private final Executor events;
    private final Scheduler scheduler;
    private final Runnable onClose;
    private volatile boolean closed;

    // Confined to the event thread.
    /** Every event up to this revision was delivered; 0 when unknown (the next watch starts from now). Written on the event thread only. */
    private volatile long lastRevision;
    private io.etcd.jetcd.Watch.Watcher current;
    /** Tells callbacks of a replaced jetcd watcher from the current one's. */
    private long generation;
    private boolean down;
    /** Changes may have been missed: the resume reports {@code complete = false}. */
    private boolean incomplete;
    private int failures;
    private Scheduler.Cancellable pendingResume;
    private final EtcdCalls calls;

    EtcdWatch(String service, ByteSequence prefix, WatchListener listener, io.etcd.jetcd.Client client, EtcdCalls calls,
            Decoder decoder, Executor events, Scheduler scheduler, Runnable onClose) {
        this.calls = calls;
        this.service = service;
        this.prefix = prefix;
        this.listener = listener;
        this.client = client.getWatchClient();
        this.kv = client.getKVClient();
        this.timeout = calls.timeout();
        this.decoder = decoder;
        this.events = events;
        this.scheduler = scheduler;
        this.onClose = onClose;
    }

    /** Watches from {@code revision + 1}; or, if the revision could not be read ({@code error}), reports a disconnect and retries. */
    void start(long revision, RegistryException error) {
        submit(() -> {
            if (error == null) {
                lastRevision = revision;
                open();
            } else {
                incomplete = true;
                failed(generation, error);
            }
        });
    }

    /** The revision up to which every change was delivered (0: unknown): where a resume would start, less one. */
    long lastRevision() {
        return lastRevision;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        onClose.run();
        submit(() -> {
            generation++;
            if (pendingResume != null) {
                pendingResume.cancel();
            }
            if (current != null) {
                current.close();
                current = null;
            }
        });
    }

    private void open() {
        if (closed) {
            return;
        }
        if (!down || lastRevision == 0) {
            openWatcher();
            return;
        }
        long gen = ++generation;
        try {
            kv.get(prefix, GetOption.builder().isPrefix(true).withCountOnly(true).withRevision(lastRevision).build())
                    .orTimeout(timeout.toNanos(), TimeUnit.NANOSECONDS)
                    .whenComplete((answer, error) -> submit(() -> checked(gen, error)));
        } catch (RuntimeException e) { // the client is closing
            failed(gen, e);
        }
    }

    /** The read at {@code lastRevision} came back: resume from the next revision, from now if it was compacted, or retry. */
    private void checked(long gen, Throwable error) {
        if (closed || gen != generation) {
            return;
        }
        Throwable cause = dev.bulwark.internal.Errors.unwrapCompletion(error);
        if (cause == null) {
            openWatcher();
        } else if (EtcdCalls.outOfRange(cause)) {
            LOG.log(System.Logger.Level.INFO, "etcd compacted the history of '" + service + "' past revision " + lastRevision
                    + " while its watch was down; resuming from now");
            lastRevision = 0;
            incomplete = true;
            openWatcher();
        } else {
            failed(gen, cause);
        }
    }

    private void openWatcher() {
        long gen = ++generation;
        WatchOption option = WatchOption.builder()
                .isPrefix(true)
                .withPrevKV(true)
                .withCreateNotify(true)
                .withProgressNotify(true) // an idle watch still learns the current revision: resumes stay short of compaction
                .withRequireLeader(true) // a member cut off from its cluster's leader ends the watch instead of going silent
                .withRevision(lastRevision == 0 ? 0 : lastRevision + 1)
                .build();
        try {
            current = client.watch(prefix, option, new Callbacks(gen));
        } catch (RuntimeException e) { // jetcd's watch client is closed: the registry is closing
            failed(gen, e);
        }
    }

    private void next(long gen, WatchResponse response) {
        if (closed || gen != generation) {
            return;
        }
        if (response.isCreatedNotify()) {
            if (lastRevision == 0) {
                lastRevision = response.getHeader().getRevision(); // a watch from now starts after this revision
            }
            if (down) {
                boolean complete = !incomplete;
                down = false;
                incomplete = false;
                failures = 0;
                LOG.log(System.Logger.Level.INFO, "etcd watch of '" + service + "' resumed "
                        + (complete ? "from revision " + (lastRevision + 1) : "after missing changes; a full read is due"));
                deliver(() -> listener.onResumed(complete));
            }
            return;
        }
        if (response.isProgressNotify()) {
            // etcd sends these only to a watcher that has been sent everything up to this revision.
            lastRevision = Math.max(lastRevision, response.getHeader().getRevision());
            return;
        }
        long floor = lastRevision;
        long newest = floor;
        for (WatchEvent event : response.getEvents()) {
            long revision = event.getKeyValue().getModRevision();
            if (revision <= floor) {
                continue; // already delivered before a resume
            }
            newest = Math.max(newest, revision);
            RegistryEvent converted = convert(event);
            if (converted != null) {
                deliver(() -> listener.onEvent(converted));
            }
        }
        lastRevision = newest;
    }

    private RegistryEvent convert(WatchEvent event) {
        KeyValue kv = event.getKeyValue();
        Optional<Keys.Parsed> key = decoder.key(kv);
        if (key.isEmpty() || !key.get().service().equals(service)) {
            return null;
        }
        String id = key.get().instanceId();
        KeyValue prev = event.getPrevKV();
        Optional<ServiceInstance> before = prev != null && prev.getVersion() > 0 ? Decoder.quietly(prev, key.get()) : Optional.empty();
        switch (event.getEventType()) {
            case PUT -> {
                Optional<ServiceInstance> now = decoder.instance(kv, key.get());
                if (now.isPresent()) {
                    return before.isPresent() ? RegistryEvent.updated(now.get()) : RegistryEvent.created(now.get());
                }
                // A corrupt value replaced a good one: to readers the instance is gone, so it is to watchers.
                return before.map(b -> RegistryEvent.deleted(service, id, b)).orElse(null);
            }
            case DELETE -> {
                decoder.deleted(kv);
                if (prev == null || prev.getVersion() == 0) {
                    return RegistryEvent.deleted(service, id, null); // previous value unknown (compacted)
                }
                // A corrupt previous value was never announced, so its deletion is not either.
                return before.map(b -> RegistryEvent.deleted(service, id, b)).orElse(null);
            }
            default -> {
                return null;
            }
        }
    }

    private void failed(long gen, Throwable cause) {
        if (closed || gen != generation) {
            return;
        }
        generation++;
        if (current != null) {
            current.close(); // stops jetcd's own retry, which could resume past undelivered events
            current = null;
        }
        if (cause instanceof CompactedException) {
            lastRevision = 0;
            incomplete = true;
        }
        failures++;
        calls.noteFailure(cause);
        if (!down) {
            down = true;
            LOG.log(System.Logger.Level.WARNING, "etcd watch of '" + service + "' lost (" + cause + "); resuming "
                    + (lastRevision == 0 ? "from the current revision" : "from revision " + (lastRevision + 1)));
            deliver(() -> listener.onDisconnected(cause));
        } else {
            LOG.log(System.Logger.Level.DEBUG, "etcd watch of '" + service + "' still down: " + cause);
        }
        pendingResume = scheduler.schedule(() -> submit(this::open), dev.bulwark.discovery.internal.Reconnect.delayNanos(failures));
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

    private void submit(Runnable task) {
        try {
            events.execute(task);
        } catch (RejectedExecutionException e) {
            // The registry is closed: nothing more to do or tell.
        }
    }

    /** jetcd's callbacks for one of its watchers, handed to the event thread. */
    private final class Callbacks implements io.etcd.jetcd.Watch.Listener {
        private final long gen;

        Callbacks(long gen) {
            this.gen = gen;
        }

        @Override
        public void onNext(WatchResponse response) {
            submit(() -> next(gen, response));
        }

        @Override
        public void onError(Throwable error) {
            submit(() -> failed(gen, error));
        }

        @Override
        public void onCompleted() {
            submit(() -> failed(gen, new RegistryException("etcd ended the watch of '" + service + "'")));
        }
    }
}
