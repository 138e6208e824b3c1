package dev.bulwark.config;

import dev.bulwark.internal.Check;
import java.util.concurrent.ScheduledExecutorService;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.curator.retry.ExponentialBackoffRetry;

/**
 * A config center on ZooKeeper: key {@code /config/prod/orders/breakers/x.json} is the znode of
 * that path, its data the document and its {@code mzxid} the revision. Each watch is a Curator
 * {@code CuratorCache} of the prefix, which re-reads the tree after a lost connection or session
 * and reports only what changed meanwhile. {@code onResumed} comes when the connection is back,
 * and the changes made meanwhile follow as the cache catches up (not before it, as with etcd).
 * Callbacks run one at a time on this source's own thread.
 *
 * <pre>{@code
 * ZooKeeperPolicySource source = ZooKeeperPolicySource.connect("127.0.0.1:2181");   // or of(a started CuratorFramework)
 * }</pre>
 */
public final class ZooKeeperPolicySource implements PolicySource {

    private final CuratorFramework client;
    private final boolean ownsClient;
    private final ScheduledExecutorService events = Daemons.single("bulwark-policy-zookeeper");
    private final java.util.Set<Runnable> watches = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private ZooKeeperPolicySource(CuratorFramework client, boolean ownsClient) {
        this.client = client;
        this.ownsClient = ownsClient;
    }

    /** Documents in the ZooKeeper ensemble {@code client} (started, and the caller's to close) reaches. */
    public static ZooKeeperPolicySource of(CuratorFramework client) {
        return new ZooKeeperPolicySource(Check.notNull("client", client), false);
    }

    /** Documents in the ensemble at {@code connectString} ({@code host:2181,host:2181}); closing the source closes its client. */
    public static ZooKeeperPolicySource connect(String connectString) {
        return start(CuratorFrameworkFactory.builder().connectString(Check.name("connectString", connectString)));
    }

    /** As {@link #connect(String)}, authenticated by ZooKeeper's digest scheme as {@code user} with {@code password}. */
    public static ZooKeeperPolicySource connect(String connectString, String user, String password) {
        String credentials = Check.name("user", user) + ":" + Check.notNull("password", password);
        return start(CuratorFrameworkFactory.builder().connectString(Check.name("connectString", connectString))
                .authorization("digest", credentials.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    private static ZooKeeperPolicySource start(CuratorFrameworkFactory.Builder builder) {
        CuratorFramework client = builder.retryPolicy(new ExponentialBackoffRetry(200, 10, 5_000)).build();
        client.start();
        return new ZooKeeperPolicySource(client, true);
    }

    @Override
    public Subscription watch(String prefix, Listener listener) {
        Check.notNull("prefix", prefix);
        Check.notNull("listener", listener);
        String root = prefix.length() > 1 && prefix.endsWith("/") ? prefix.substring(0, prefix.length() - 1) : prefix;
        CuratorCache cache = CuratorCache.build(client, root);
        cache.listenable().addListener(CuratorCacheListener.builder()
                .forCreatesAndChanges((before, node) -> put(root, node, listener))
                .forDeletes(node -> {
                    if (!node.getPath().equals(root)) {
                        Daemons.tell(() -> listener.onDelete(node.getPath(), node.getStat().getMzxid()));
                    }
                })
                .build(), events);
        ConnectionStateListener connection = (c, state) -> {
            if (state == ConnectionState.SUSPENDED || state == ConnectionState.LOST) {
                Daemons.unavailable("zookeeper", prefix, new IllegalStateException("ZooKeeper connection " + state), listener);
            } else if (state == ConnectionState.RECONNECTED) {
                Daemons.resumed("zookeeper", prefix, listener);
            }
        };
        client.getConnectionStateListenable().addListener(connection, events);
        cache.start();
        Runnable stop = () -> {
            client.getConnectionStateListenable().removeListener(connection);
            cache.close();
        };
        watches.add(stop);
        return () -> {
            if (watches.remove(stop)) {
                stop.run();
            }
        };
    }

    private void put(String root, ChildData node, Listener listener) {
        if (!node.getPath().equals(root) && node.getData() != null) {
            Daemons.tell(() -> listener.onPut(node.getPath(), node.getData(), node.getStat().getMzxid()));
        }
    }

    @Override
    public void close() {
        for (Runnable stop : watches) {
            if (watches.remove(stop)) {
                stop.run();
            }
        }
        Daemons.drainAndStop(events);
        if (ownsClient) {
            client.close();
        }
    }
}
