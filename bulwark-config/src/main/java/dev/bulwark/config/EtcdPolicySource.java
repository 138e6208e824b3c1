package dev.bulwark.config;

import dev.bulwark.internal.Check;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A config center on etcd: a watch reads its prefix, then follows it with an etcd watch. When
 * the watch fails (etcd restarting, a network cut, a compacted history) it is closed and the
 * prefix is read again in full after a backoff (200 ms doubling to 5 s): the keys whose
 * revision changed are delivered as puts, the keys gone as deletes, and a new watch starts after
 * the revision read. State rather than events is replayed, so no change made during the outage
 * is lost, and none is delivered twice. Callbacks run one at a time on this source's own thread.
 *
 * <pre>{@code
 * EtcdPolicySource source = EtcdPolicySource.of(Client.builder().endpoints("http://127.0.0.1:2379").build());
 * }</pre>
 */
public final class EtcdPolicySource implements PolicySource {
    private static final Duration READ_TIMEOUT = Duration.ofSeconds(5);

    private final Client client;
    private final boolean ownsClient;
    private final Watches watches = new Watches("bulwark-policy-etcd");
    private final ScheduledExecutorService events = watches.events();

    private EtcdPolicySource(Client client, boolean ownsClient) {
        this.client = client;
        this.ownsClient = ownsClient;
    }

    /** Documents in the etcd {@code client} reaches; the client stays the caller's to close. */
    public static EtcdPolicySource of(Client client) {
        return new EtcdPolicySource(Check.notNull("client", client), false);
    }

    /** Documents in the etcd cluster at {@code endpoints} ({@code http://host:2379}); closing the source closes its client. */
    public static EtcdPolicySource connect(String... endpoints) {
        Check.notNull("endpoints", endpoints);
        return new EtcdPolicySource(Client.builder().endpoints(endpoints).build(), true);
    }

    /** As {@link #connect(String...)}, as etcd user {@code user} with {@code password}. */
    public static EtcdPolicySource connect(java.util.List<String> endpoints, String user, String password) {
        Check.notNull("endpoints", endpoints);
        return new EtcdPolicySource(Client.builder().endpoints(endpoints.toArray(String[]::new))
                .user(ByteSequence.from(Check.name("user", user), StandardCharsets.UTF_8))
                .password(ByteSequence.from(Check.notNull("password", password), StandardCharsets.UTF_8)).build(), true);
    }

    @Override
    public Subscription watch(String prefix, Listener listener) {
        Check.notNull("prefix", prefix);
        Check.notNull("listener", listener);
        PrefixWatch watch = new PrefixWatch(prefix, listener);
        return watches.start(watch::read, watch::close);
    }

    /** Closes every watch (their etcd watchers too, even on a client that stays open), then the source's thread. */
    @Override
    public void close() {
        watches.closeAll();
        if (ownsClient) {
            client.close();
        }
    }

    /** One prefix followed: the revision of each key delivered, and the current etcd watcher. Confined to the events thread. */
    private final class PrefixWatch {
        private final String prefix;
        private final ByteSequence key;
        private final Listener listener;
        private final Map<String, Long> known = new HashMap<>();
        private Watch.Watcher watcher;
        /** Tells a replaced watcher's callbacks from the current one's. */
        private long generation;
        private boolean down;
        private int failures;
        private boolean closed;

        PrefixWatch(String prefix, Listener listener) {
            this.prefix = prefix;
            this.key = ByteSequence.from(prefix, StandardCharsets.UTF_8);
            this.listener = listener;
        }

        /** Reads the prefix in full and delivers the difference from what was delivered; then watches from there. */
        void read() {
            if (closed) {
                return;
            }
            long gen = ++generation;
            client.getKVClient().get(key, GetOption.builder().isPrefix(true).build())
                    .orTimeout(READ_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                    .whenCompleteAsync((answer, error) -> {
                        if (closed || gen != generation) {
                            return;
                        }
                        if (error != null) {
                            failed(error);
                            return;
                        }
                        Set<String> present = new HashSet<>();
                        for (KeyValue kv : answer.getKvs()) {
                            String k = kv.getKey().toString(StandardCharsets.UTF_8);
                            present.add(k);
                            Long before = known.put(k, kv.getModRevision());
                            if (before == null || before != kv.getModRevision()) {
                                Daemons.tell(() -> listener.onPut(k, kv.getValue().getBytes(), kv.getModRevision()));
                            }
                        }
                        long revision = answer.getHeader().getRevision();
                        for (String gone : Set.copyOf(known.keySet())) {
                            if (!present.contains(gone)) {
                                known.remove(gone);
                                Daemons.tell(() -> listener.onDelete(gone, revision));
                            }
                        }
                        if (down) {
                            down = false;
                            Daemons.resumed("etcd", prefix, listener);
                        }
                        failures = 0;
                        follow(revision + 1);
                    }, events);
        }

        private void follow(long fromRevision) {
            long gen = ++generation;
            WatchOption option = WatchOption.builder().isPrefix(true).withRevision(fromRevision).withRequireLeader(true).build();
            try {
                watcher = client.getWatchClient().watch(key, option, Watch.listener(
                        response -> Daemons.submit(events, () -> changed(gen, response)),
                        error -> Daemons.submit(events, () -> {
                            if (gen == generation) {
                                failed(error);
                            }
                        }),
                        () -> Daemons.submit(events, () -> {
                            if (gen == generation && !closed) {
                                failed(new IllegalStateException("etcd ended the watch"));
                            }
                        })));
            } catch (RuntimeException e) { // the client is closing
                failed(e);
            }
        }

        private void changed(long gen, WatchResponse response) {
            if (closed || gen != generation) {
                return;
            }
            for (WatchEvent event : response.getEvents()) {
                KeyValue kv = event.getKeyValue();
                String k = kv.getKey().toString(StandardCharsets.UTF_8);
                if (event.getEventType() == WatchEvent.EventType.PUT) {
                    known.put(k, kv.getModRevision());
                    Daemons.tell(() -> listener.onPut(k, kv.getValue().getBytes(), kv.getModRevision()));
                } else if (event.getEventType() == WatchEvent.EventType.DELETE && known.remove(k) != null) {
                    long revision = kv.getModRevision() > 0 ? kv.getModRevision() : response.getHeader().getRevision();
                    Daemons.tell(() -> listener.onDelete(k, revision));
                }
            }
        }

        private void failed(Throwable error) {
            if (closed) {
                return;
            }
            generation++;
            if (watcher != null) {
                watcher.close();
                watcher = null;
            }
            if (!down) {
                down = true;
                Daemons.unavailable("etcd", prefix, error, listener);
            }
            Daemons.retry(events, failures++, this::read);
        }

        void close() {
            closed = true;
            generation++;
            if (watcher != null) {
                watcher.close();
                watcher = null;
            }
        }
    }
}
