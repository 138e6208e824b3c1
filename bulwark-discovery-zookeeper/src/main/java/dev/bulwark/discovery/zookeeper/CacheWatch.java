package dev.bulwark.discovery.zookeeper;

import dev.bulwark.discovery.RegistryEvent;
import dev.bulwark.discovery.RegistryException;
import dev.bulwark.discovery.ServiceInstance;
import dev.bulwark.discovery.Watch;
import dev.bulwark.discovery.WatchListener;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.recipes.cache.ChildData;
import org.apache.curator.framework.recipes.cache.CuratorCache;
import org.apache.curator.framework.recipes.cache.CuratorCacheListener;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.curator.utils.ZKPaths;
import org.apache.zookeeper.KeeperException;

/**
 * A watch on one service: a Curator {@code CuratorCache} on the service's node (a persistent
 * recursive ZooKeeper watch plus a local copy), whose changes to the instance nodes below it
 * become {@link RegistryEvent}s. The service node itself is ignored, and so is the initial load:
 * a watch reports changes after it started.
 *
 * <p><b>Threads and order.</b> Cache events and connection changes are both delivered on the
 * client's single "safe notify" thread, so a listener hears one callback at a time. One instance's
 * changes arrive in the order they were made. Across instances, a deletion (which the cache
 * applies at once) may overtake another instance's earlier creation or update (for which it
 * reads the node first).
 *
 * <p><b>Disconnects.</b> SUSPENDED or LOST tells the listener {@code onDisconnected} once; the
 * following RECONNECTED tells it {@code onResumed(false)}. On reconnecting, the cache re-reads
 * every node and reports the differences from its copy, and those arrive as events; but it
 * compares znode <em>versions</em>, so an instance deleted and registered again with other data
 * during the outage (a new node, version 0 again) is not reported as changed, and a session
 * loss may have removed and re-created nodes unseen. The replay is therefore not complete, and the
 * listener is asked to re-read in full rather than promised it was.
 *
 * <p><b>Own writes.</b> ZooKeeper's notifications carry no data: the cache reads each changed
 * node after hearing of it, and by then the node may have changed again, so quick successive
 * changes by others can reach the listener merged (the latest data, never an older one). For
 * changes made through the same registry, {@link #awaitDelivered} lets the writer wait until this
 * watch has told its listener, so that each of them is reported with its own data, as the
 * in-memory registry does.
 *
 * <p><b>Corrupt data.</b> A node whose data is not an instance is skipped (and counted by the
 * registry's decoder); its deletion is still reported, without the instance.
 */
final class CacheWatch implements Watch {
    private static final System.Logger LOG = System.getLogger("dev.bulwark.discovery.zookeeper");

    /** Reads a node's data as an instance, or returns null (and counts it) when it is not one. */
    @FunctionalInterface
    interface Decoder {
        ServiceInstance decode(String service, String instanceId, byte[] data, String path);
    }

    private final CuratorFramework client;
    private final String service;
    private final String servicePath;
    private final WatchListener listener;
    private final Decoder decoder;
    private final Errors errors;
    private final Consumer<CacheWatch> onClose;
    private final CuratorCache cache;
    private final CountDownLatch primedLatch = new CountDownLatch(1);
    private final ConnectionStateListener connection = (c, state) -> c.runSafe(() -> onConnection(state));
    // Written on the safe-notify thread only; volatile for close() and start().
    private volatile boolean primed;
    private volatile boolean disconnected;
    private volatile boolean closed;
    private volatile Exception refused;
    /** The client's notify thread: code running there (a listener) must not wait for a delivery. */
    private final Thread notifyThread;
    private final ReentrantLock deliveredLock = new ReentrantLock();
    private final Condition deliveredChanged = deliveredLock.newCondition();
    /** Guarded by deliveredLock: instance id to the mzxid of the version the listener last heard of. */
    private final Map<String, Long> delivered = new HashMap<>();

    CacheWatch(CuratorFramework client, Thread notifyThread, String service, String servicePath, WatchListener listener,
            Decoder decoder, Errors errors, Consumer<CacheWatch> onClose) {
        this.client = client;
        this.notifyThread = notifyThread;
        this.service = service;
        this.servicePath = servicePath;
        this.listener = listener;
        this.decoder = decoder;
        this.errors = errors;
        this.onClose = onClose;
        this.cache = CuratorCache.builder(client, servicePath).withExceptionHandler(this::cacheFailed).build();
    }

    /**
     * Starts the cache and waits up to {@code patience} for its first load (unless called on the
     * notify thread, which delivers that load). If the server cannot be reached in that time the
     * watch still starts: the listener hears {@code onDisconnected} now and {@code onResumed(false)}
     * once the load completes.
     *
     * @throws RegistryException if ZooKeeper refuses this client the service's nodes (NoAuth)
     */
    CacheWatch start(Duration patience) {
        cache.listenable().addListener(new CuratorCacheListener() {
            @Override
            public void event(Type type, ChildData oldData, ChildData data) {
                onCacheEvent(type, oldData, data);
            }

            @Override
            public void initialized() {
                onPrimed();
            }
        });
        client.getConnectionStateListenable().addListener(connection);
        cache.start();
        if (Thread.currentThread() == notifyThread) {
            return this; // started from a listener: the load is delivered on this very thread, after we return
        }
        boolean loaded;
        try {
            loaded = primedLatch.await(patience.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            close();
            Thread.currentThread().interrupt();
            throw new RegistryException("watch " + service + ": interrupted while loading", e);
        }
        Exception refusal = refused;
        if (refusal != null) {
            close();
            throw errors.translate("watch " + service, refusal);
        }
        if (!loaded) {
            LOG.log(System.Logger.Level.WARNING, "watch of '" + service + "' could not load within " + patience
                    + "; it starts as disconnected and resumes when ZooKeeper answers");
            client.runSafe(() -> {
                if (!primed) { // it may have loaded since: then there is nothing to report
                    disconnect(errors.unreachable("watch " + service, null));
                }
            });
        }
        return this;
    }

    String service() {
        return service;
    }

    /**
     * Waits, up to {@code timeout}, until the listener has been told of the node {@code id} at
     * write {@code zxid} or later (or, with a negative {@code zxid}, of its deletion). Returns at
     * once on the notify thread, or once the watch is closed.
     */
    void awaitDelivered(String id, long zxid, Duration timeout) {
        if (Thread.currentThread() == notifyThread) {
            return;
        }
        long nanos = timeout.toNanos();
        deliveredLock.lock();
        try {
            while (!closed && !isDelivered(id, zxid)) {
                if (nanos <= 0) {
                    LOG.log(System.Logger.Level.DEBUG, "watch of '" + service + "' had not reported " + id + " within " + timeout);
                    return;
                }
                nanos = deliveredChanged.awaitNanos(nanos);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            deliveredLock.unlock();
        }
    }

    // Under deliveredLock.
    private boolean isDelivered(String id, long zxid) {
        Long seen = delivered.get(id);
        return zxid < 0 ? seen == null : seen != null && seen >= zxid;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        client.getConnectionStateListenable().removeListener(connection);
        cache.close();
        onClose.accept(this);
        deliveredLock.lock();
        try {
            deliveredChanged.signalAll(); // writers waiting on this watch: it will deliver nothing more
        } finally {
            deliveredLock.unlock();
        }
    }

    private void onPrimed() {
        primed = true;
        primedLatch.countDown();
        if (disconnected && client.getZookeeperClient().isConnected()) {
            resume();
        }
    }

    private void onConnection(ConnectionState state) {
        if (closed) {
            return;
        }
        switch (state) {
            case SUSPENDED -> disconnect(errors.unreachable("watch " + service + " (connection suspended)", null));
            case LOST -> disconnect(errors.unreachable("watch " + service + " (session lost)", null));
            case CONNECTED, RECONNECTED -> {
                if (disconnected && primed) {
                    resume();
                }
            }
            default -> { } // READ_ONLY: never requested
        }
    }

    private void disconnect(RegistryException cause) {
        if (closed || disconnected) {
            return;
        }
        disconnected = true;
        try {
            listener.onDisconnected(cause);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "watch listener of '" + service + "' threw on disconnect; ignored", e);
        }
    }

    private void resume() {
        disconnected = false;
        if (closed) {
            return;
        }
        try {
            listener.onResumed(false);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "watch listener of '" + service + "' threw on resume; ignored", e);
        }
    }

    private void onCacheEvent(CuratorCacheListener.Type type, ChildData oldData, ChildData data) {
        ChildData node = data != null ? data : oldData;
        ZKPaths.PathAndNode pathAndNode = ZKPaths.getPathAndNode(node.getPath());
        if (!pathAndNode.getPath().equals(servicePath)) {
            return; // the service node itself (or anything not an instance)
        }
        String id = pathAndNode.getNode();
        try {
            deliver(type, id, oldData, data);
        } finally {
            deliveredLock.lock();
            try {
                if (type == CuratorCacheListener.Type.NODE_DELETED) {
                    delivered.remove(id);
                } else {
                    delivered.put(id, data.getStat().getMzxid());
                }
                deliveredChanged.signalAll();
            } finally {
                deliveredLock.unlock();
            }
        }
    }

    private void deliver(CuratorCacheListener.Type type, String id, ChildData oldData, ChildData data) {
        if (closed || !primed) {
            return; // before the first load completes, events are that load, not changes
        }
        RegistryEvent event = switch (type) {
            case NODE_CREATED -> created(id, data);
            case NODE_CHANGED -> changed(id, oldData, data);
            case NODE_DELETED -> RegistryEvent.deleted(service, id, quietly(id, oldData));
        };
        if (event != null) {
            try {
                listener.onEvent(event);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "watch listener of '" + service + "' threw on " + event + "; ignored", e);
            }
        }
    }

    private RegistryEvent created(String id, ChildData data) {
        ServiceInstance instance = decoder.decode(service, id, data.getData(), data.getPath());
        return instance == null ? null : RegistryEvent.created(instance);
    }

    private RegistryEvent changed(String id, ChildData oldData, ChildData data) {
        ServiceInstance instance = decoder.decode(service, id, data.getData(), data.getPath());
        if (instance == null) {
            return null;
        }
        ServiceInstance before = quietly(id, oldData);
        if (instance.equals(before)) {
            return null; // rewritten with the same data (a re-registration): nothing changed
        }
        return before == null ? RegistryEvent.created(instance) : RegistryEvent.updated(instance);
    }

    /** The instance as it was, for a DELETED event or a comparison: already counted if corrupt. */
    private ServiceInstance quietly(String id, ChildData old) {
        if (old == null || old.getData() == null) {
            return null;
        }
        try {
            return InstanceCodec.decode(service, id, old.getData());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private void cacheFailed(Exception e) {
        if (e instanceof KeeperException.NoAuthException && !primed) {
            refused = e; // start() reports it
        }
        boolean expected = e instanceof KeeperException.ConnectionLossException
                || e instanceof KeeperException.SessionExpiredException;
        LOG.log(expected ? System.Logger.Level.DEBUG : System.Logger.Level.WARNING,
                "watch of '" + service + "': a read failed: " + e);
    }
}
