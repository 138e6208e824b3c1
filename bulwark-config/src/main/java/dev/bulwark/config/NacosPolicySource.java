package dev.bulwark.config;

import com.alibaba.nacos.api.NacosFactory;
import com.alibaba.nacos.api.common.Constants;
import com.alibaba.nacos.api.config.ConfigService;
import com.alibaba.nacos.api.config.listener.AbstractFuzzyWatchEventWatcher;
import com.alibaba.nacos.api.config.listener.ConfigFuzzyWatchChangeEvent;
import com.alibaba.nacos.api.exception.NacosException;
import dev.bulwark.InvalidConfigException;
import dev.bulwark.internal.Check;
import dev.bulwark.internal.Events;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A config center on Nacos config (server 3.0 or later): key
 * {@code /config/production/orders/breakers/grpc:user-service.json} is the data id
 * {@code config.production.orders.breakers.grpc:user-service.json} (slashes as dots, the leading
 * one dropped) in this source's group and its client's namespace.
 *
 * <p>Each watch is a fuzzy watch of the data ids under the prefix ({@code config.production.orders.breakers.*}),
 * which tells of documents added and removed, and a listener on each document, which tells of its
 * new content. After an outage nacos-client compares what it holds with the server and reports
 * what changed meanwhile: documents added or removed, contents changed; this source passes on only
 * what differs from what it delivered, so nothing arrives twice. Nacos has no revision numbers:
 * a revision here is the order in which this source delivered changes. {@code onUnavailable} and
 * {@code onResumed} follow the client's connection, read every second. Callbacks run one at a
 * time on this source's own thread.
 *
 * <pre>{@code
 * NacosPolicySource source = NacosPolicySource.connect("127.0.0.1:8848", "BULWARK");
 * }</pre>
 *
 * The server's limits apply: by default 500 documents under one prefix and 20 prefixes watched on
 * one server (its {@code nacos.config.fuzzy.watch.max.*} settings); a source over them logs it.
 * Nacos has no directories: a data id with more dots after the prefix
 * ({@code config.production.orders.breakers.archive.old.json}) is the name {@code archive.old}.
 * A server before 3.0 cannot fuzzy-watch: the source logs it once and keeps asking. On a client
 * of your own ({@link #of}), do not watch a prefix again within a few seconds of closing its
 * watch: nacos-client drops a fuzzy watch re-registered while its cancellation is pending.
 */
public final class NacosPolicySource implements PolicySource {
    private static final System.Logger LOG = System.getLogger("dev.bulwark.config");
    private static final long READ_TIMEOUT_MS = 3_000;

    private final ConfigService config;
    private final String group;
    private final boolean ownsClient;
    private final AtomicLong revisions = new AtomicLong();
    private final Watches watches = new Watches("bulwark-policy-nacos");
    private final ScheduledExecutorService events = watches.events();
    private final Executor onEvents = task -> Daemons.submit(events, task);

    private NacosPolicySource(ConfigService config, String group, boolean ownsClient) {
        this.config = config;
        this.group = group;
        this.ownsClient = ownsClient;
    }

    /** Documents in {@code group} of the Nacos {@code config} talks to (the caller's to shut down). */
    public static NacosPolicySource of(ConfigService config, String group) {
        return new NacosPolicySource(Check.notNull("config", config), checkedGroup(group), false);
    }

    /** Documents in {@code group} of the Nacos server at {@code serverAddr} ({@code host:8848}, its namespace "public"). */
    public static NacosPolicySource connect(String serverAddr, String group) {
        Properties properties = new Properties();
        properties.setProperty("serverAddr", Check.name("serverAddr", serverAddr));
        return connect(properties, group);
    }

    /**
     * Documents in {@code group} of the Nacos server nacos-client reaches with {@code properties}
     * ({@code serverAddr}, {@code namespace}, {@code username}, {@code password}, ...); closing
     * the source shuts its client down.
     */
    public static NacosPolicySource connect(Properties properties, String group) {
        Check.notNull("properties", properties);
        String checkedGroup = checkedGroup(group);
        try {
            return new NacosPolicySource(NacosFactory.createConfigService(properties), checkedGroup, true);
        } catch (NacosException e) {
            throw new IllegalStateException("cannot create a Nacos config client for " + properties.getProperty("serverAddr")
                    + ": " + e.getErrMsg(), e);
        }
    }

    private static String checkedGroup(String group) {
        if (group == null || !NacosNames.GROUP.matcher(group).matches()) {
            throw new InvalidConfigException("group", group, "a Nacos group: 1 to 128 " + NacosNames.CHARACTERS_ALLOWED);
        }
        return group;
    }

    /** The data id of {@code key}: {@code /config/prod/x.json} is {@code config.prod.x.json}. */
    static String dataIdOf(String key) {
        return key.replaceFirst("^/+", "").replace('/', '.');
    }

    @Override
    public Subscription watch(String prefix, Listener listener) {
        Check.notNull("prefix", prefix);
        Check.notNull("listener", listener);
        String dataIdPrefix = dataIdOf(prefix);
        if (!dataIdPrefix.isEmpty() && !NacosNames.DATA_ID.matcher(dataIdPrefix).matches()) {
            throw new InvalidConfigException("prefix", prefix, "a path whose parts are Nacos data id characters: "
                    + NacosNames.CHARACTERS_ALLOWED);
        }
        PrefixWatch watch = new PrefixWatch(prefix, dataIdPrefix, listener);
        return watches.start(watch::start, watch::close);
    }

    /** Closes every watch, then the source's thread, then the client when this source made it. */
    @Override
    public void close() {
        watches.closeAll();
        if (ownsClient) {
            try {
                config.shutDown();
            } catch (NacosException e) {
                LOG.log(System.Logger.Level.WARNING, "shutting down the Nacos config client failed: " + e.getErrMsg());
            }
        }
    }

    /**
     * One prefix followed: its fuzzy watch, a listener per document, what was delivered. Runs on
     * the events thread; only {@link #close} may run elsewhere (when that thread was stuck in a
     * slow call as the source closed), hence the volatile flag and the concurrent map.
     */
    private final class PrefixWatch {
        private final String prefix;
        private final String dataIdPrefix;
        private final PolicySource.Listener listener;
        private final Map<String, DocumentListener> followed = new ConcurrentHashMap<>();
        private final Map<String, String> delivered = new HashMap<>();
        private final Map<String, Integer> readFailures = new HashMap<>();
        private final AbstractFuzzyWatchEventWatcher watcher;
        private ScheduledFuture<?> statusCheck;
        private boolean watching;
        private boolean down;
        private int subscribeFailures;
        private volatile boolean closed;

        PrefixWatch(String prefix, String dataIdPrefix, PolicySource.Listener listener) {
            this.prefix = prefix;
            this.dataIdPrefix = dataIdPrefix;
            this.listener = listener;
            this.watcher = new AbstractFuzzyWatchEventWatcher() {
                @Override
                public void onEvent(ConfigFuzzyWatchChangeEvent event) {
                    changed(event);
                }

                @Override
                public Executor getExecutor() {
                    return onEvents;
                }

                @Override
                public void onPatternOverLimit() {
                    Events.warn(Events.POLICY, "config center refuses the watch", "center", "nacos", "prefix", prefix,
                            "reason", "the server watches as many prefixes as it allows (nacos.config.fuzzy.watch.max.pattern.count)");
                }

                @Override
                public void onConfigReachUpLimit() {
                    Events.warn(Events.POLICY, "config center stopped telling of new documents", "center", "nacos", "prefix", prefix,
                            "reason", "one watch follows at most this many (nacos.config.fuzzy.watch.max.pattern.match.config.count)");
                }
            };
        }

        void start() {
            statusCheck = events.scheduleWithFixedDelay(this::checkConnection, 1, 1, TimeUnit.SECONDS);
            subscribe();
        }

        /**
         * Starts the fuzzy watch, retried with backoff until the server takes it; Nacos then
         * re-establishes it after a lost connection by itself. The documents it finds come as
         * "added" events, and in the list its future gives, which is read without waiting.
         */
        private void subscribe() {
            if (closed) {
                return;
            }
            Future<Set<String>> existing;
            try {
                existing = config.fuzzyWatchWithGroupKeys(dataIdPrefix + "*", group, watcher);
            } catch (NacosException | RuntimeException e) {
                refused(e);
                Daemons.retry(events, subscribeFailures++, this::subscribe);
                return;
            }
            watching = true;
            subscribeFailures = 0;
            if (closed) { // closed meanwhile, elsewhere: its close may have missed this watch
                cancelWatch();
                return;
            }
            listWhenReady(existing, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(READ_TIMEOUT_MS));
            if (down && connected()) {
                resumed();
            }
        }

        /** Follows the documents the watch's future lists once it is done, looking every 100 ms until the deadline. */
        private void listWhenReady(Future<Set<String>> existing, long deadlineNanos) {
            if (closed) {
                return;
            }
            if (!existing.isDone()) {
                if (System.nanoTime() < deadlineNanos) {
                    events.schedule(() -> listWhenReady(existing, deadlineNanos), 100, TimeUnit.MILLISECONDS);
                }
                return; // past the deadline: the "added" events bring the same documents
            }
            try {
                for (String groupKey : existing.get()) {
                    follow(groupKey.substring(0, groupKey.indexOf('+'))); // dataId+group+namespace; a data id has no '+'
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Exception e) {
                LOG.log(System.Logger.Level.DEBUG, "Nacos did not list the policies under " + prefix + ": " + e);
            }
        }

        /** The watch was refused: the connection is down, or (when it is up) the server cannot fuzzy-watch. */
        private void refused(Exception e) {
            if (connected()) {
                if (subscribeFailures == 0) {
                    Events.warn(Events.POLICY, "config center refuses the watch", "center", "nacos", "prefix", prefix,
                            "error", String.valueOf(e), "needs", "a Nacos server 3.0 or later (fuzzy watch)");
                }
            } else {
                connectionDown(e);
            }
        }

        private void changed(ConfigFuzzyWatchChangeEvent event) {
            if (closed || !group.equals(event.getGroup()) || !event.getDataId().startsWith(dataIdPrefix)) {
                return;
            }
            if (Constants.ConfigChangedType.DELETE_CONFIG.equals(event.getChangedType())) {
                DocumentListener documentListener = followed.remove(event.getDataId());
                if (documentListener != null) {
                    config.removeListener(event.getDataId(), group, documentListener);
                }
                contentIs(event.getDataId(), null);
            } else {
                follow(event.getDataId());
            }
        }

        /** Reads a document and listens for its changes, once per data id; a failed read is retried with backoff. */
        private void follow(String dataId) {
            if (closed || followed.containsKey(dataId)) {
                return;
            }
            DocumentListener documentListener = new DocumentListener(dataId);
            followed.put(dataId, documentListener);
            String content;
            try {
                content = config.getConfigAndSignListener(dataId, group, READ_TIMEOUT_MS, documentListener);
            } catch (NacosException | RuntimeException e) {
                followed.remove(dataId);
                config.removeListener(dataId, group, documentListener);
                int failures = readFailures.merge(dataId, 1, Integer::sum);
                if (!connected()) {
                    connectionDown(e);
                } else if (failures == 1) {
                    Events.warn(Events.POLICY, "policy document unreadable", "center", "nacos",
                            "key", prefix + dataId.substring(dataIdPrefix.length()), "error", String.valueOf(e));
                }
                Daemons.retry(events, failures - 1, () -> follow(dataId));
                return;
            }
            readFailures.remove(dataId);
            if (closed) { // closed meanwhile, elsewhere: its close may have missed this listener
                config.removeListener(dataId, group, documentListener);
                return;
            }
            contentIs(dataId, content);
        }

        /** The document's content is now {@code content} (null: there is none); tells the listener if that is news. */
        private void contentIs(String dataId, String content) {
            String key = prefix + dataId.substring(dataIdPrefix.length());
            if (content == null) {
                if (delivered.remove(dataId) != null) {
                    long revision = revisions.incrementAndGet();
                    Daemons.tell(() -> listener.onDelete(key, revision));
                }
                return;
            }
            if (!content.equals(delivered.put(dataId, content))) {
                long revision = revisions.incrementAndGet();
                Daemons.tell(() -> listener.onPut(key, content.getBytes(StandardCharsets.UTF_8), revision));
            }
        }

        private void checkConnection() {
            if (closed) {
                return;
            }
            if (!connected()) {
                connectionDown(null);
            } else if (down && watching) {
                resumed();
            }
        }

        private boolean connected() {
            return "UP".equals(config.getServerStatus());
        }

        /** The client's connection is down ({@code cause}: the call that found it so, if one did). */
        private void connectionDown(Exception cause) {
            unavailable(new IllegalStateException("the Nacos config client's connection is down", cause));
        }

        private void resumed() {
            down = false;
            Daemons.resumed("nacos", prefix, listener);
        }

        private void unavailable(Throwable error) {
            if (!down) {
                down = true;
                Daemons.unavailable("nacos", prefix, error, listener);
            }
        }

        /** Hears one document's new contents. */
        private final class DocumentListener implements com.alibaba.nacos.api.config.listener.Listener {
            private final String dataId;

            DocumentListener(String dataId) {
                this.dataId = dataId;
            }

            @Override
            public Executor getExecutor() {
                return onEvents;
            }

            @Override
            public void receiveConfigInfo(String content) {
                if (!closed && followed.get(dataId) == this) {
                    contentIs(dataId, content);
                }
            }
        }

        void close() {
            closed = true;
            if (statusCheck != null) {
                statusCheck.cancel(false);
            }
            followed.forEach((dataId, documentListener) -> config.removeListener(dataId, group, documentListener));
            followed.clear();
            if (watching) {
                cancelWatch();
            }
        }

        private void cancelWatch() {
            try {
                config.cancelFuzzyWatch(dataIdPrefix + "*", group, watcher);
            } catch (NacosException | RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "cancelling the Nacos watch of " + prefix + " failed: " + e);
            }
        }
    }
}
