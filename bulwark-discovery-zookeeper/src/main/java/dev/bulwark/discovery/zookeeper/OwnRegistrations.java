package dev.bulwark.discovery.zookeeper;

import dev.bulwark.discovery.RegistryException;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.locks.ReentrantLock;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.api.CuratorWatcher;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.framework.state.ConnectionStateListener;
import org.apache.curator.utils.ThreadUtils;
import org.apache.zookeeper.CreateMode;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.Watcher.Event.EventType;
import org.apache.zookeeper.data.Stat;

/**
 * The ephemeral nodes this client registered, kept alive for as long as they stay registered.
 *
 * <p>An ephemeral node dies with the session that made it. When the session is lost (expired
 * while the server was unreachable, or ended by the server), the client reconnects with a new one
 * and every registration made here is created again with its latest data. A node is also
 * re-created when it disappears while registered (an old session's copy expiring late, or another
 * client deleting it). This is what Curator's {@code PersistentNode} recipe does, done here so that
 * a registration is written synchronously, fails with ZooKeeper's own error (NoAuth at once, not a
 * timeout), and an update writes once.
 *
 * <p>Writes to one path are serialized by that registration's lock, so a recovery never
 * resurrects a node that {@link #deregister} is removing. Recovery runs on one thread of its own.
 */
final class OwnRegistrations implements ConnectionStateListener {
    private static final System.Logger LOG = System.getLogger("dev.bulwark.discovery.zookeeper");
    private static final int ATTEMPTS = 5;

    private final CuratorFramework client;
    private final Errors errors;
    private final Map<String, Registration> byPath = new ConcurrentHashMap<>();
    /** Sessions this client has had: a node one of them left behind is ours to replace. */
    private final Set<Long> ownSessions = ConcurrentHashMap.newKeySet();
    private final ExecutorService recovery =
            Executors.newSingleThreadExecutor(ThreadUtils.newThreadFactory("bulwark-zookeeper-registrations"));
    private volatile boolean closed;

    /** One path this client keeps registered. */
    private final class Registration implements CuratorWatcher {
        final String path;
        final ReentrantLock lock = new ReentrantLock();
        volatile byte[] data;
        /** Guarded by lock: once set, this registration is dead and a new one must be made. */
        boolean removed;

        Registration(String path) {
            this.path = path;
        }

        /** The node's existence watch: it was deleted (or changed): check it, on the recovery thread. */
        @Override
        public void process(org.apache.zookeeper.WatchedEvent event) {
            if (event.getType() != EventType.None) {
                recover(this);
            }
        }
    }

    OwnRegistrations(CuratorFramework client, Errors errors) {
        this.client = client;
        this.errors = errors;
    }

    /**
     * Writes {@code data} at {@code path} as this session's ephemeral node, replacing whatever is
     * there, and keeps it.
     *
     * @return the zxid of the write, to wait for watches to see it
     */
    long register(String what, String path, byte[] data) {
        while (true) {
            Registration reg = byPath.computeIfAbsent(path, Registration::new);
            reg.lock.lock();
            try {
                if (reg.removed) {
                    continue; // deregistered while we waited for the lock: start over with a fresh registration
                }
                long zxid;
                try {
                    zxid = errors.run(what, () -> put(what, path, data));
                } catch (RuntimeException e) {
                    if (reg.data == null) { // never written: forget it rather than bring it back later
                        reg.removed = true;
                        byPath.remove(path, reg);
                    }
                    throw e;
                }
                reg.data = data;
                watch(reg);
                return zxid;
            } finally {
                reg.lock.unlock();
            }
        }
    }

    /**
     * Replaces the data of the node at {@code path}, which must exist; it stays ephemeral (and whose it was).
     *
     * @return the zxid of the write
     */
    long update(String what, String path, byte[] data) {
        Registration reg = byPath.get(path);
        if (reg != null) {
            reg.lock.lock();
        }
        try {
            Stat stat = errors.run(what, () -> {
                try {
                    return client.setData().forPath(path, data);
                } catch (KeeperException.NoNodeException e) {
                    throw new RegistryException(what + ": not registered (no node at " + path + ")", e);
                }
            });
            if (reg != null && !reg.removed) {
                reg.data = data; // a later re-creation writes this
            }
            return stat.getMzxid();
        } finally {
            if (reg != null) {
                reg.lock.unlock();
            }
        }
    }

    /** Stops keeping {@code path} and deletes its node; a missing node is not an error. */
    void deregister(String what, String path) {
        Registration reg = byPath.get(path);
        if (reg != null) {
            reg.lock.lock();
        }
        try {
            if (reg != null) {
                reg.removed = true;
                byPath.remove(path, reg);
            }
            errors.run(what, () -> {
                try {
                    client.delete().forPath(path);
                } catch (KeeperException.NoNodeException gone) {
                    // already gone: deregistering is idempotent
                }
                return null;
            });
        } finally {
            if (reg != null) {
                reg.lock.unlock();
            }
        }
    }

    /** After a reconnect (perhaps with a new session), brings every registration back. */
    @Override
    public void stateChanged(CuratorFramework ignored, ConnectionState state) {
        if (state == ConnectionState.RECONNECTED || state == ConnectionState.CONNECTED) {
            rememberSession();
            byPath.values().forEach(this::recover);
        }
    }

    void close() {
        closed = true;
        recovery.shutdownNow();
        byPath.clear();
    }

    /** Creates the node, or takes over the one there: ours is updated, anyone else's replaced. */
    private long put(String what, String path, byte[] data) throws Exception {
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            long session = rememberSession();
            try {
                Stat created = new Stat();
                client.create().storingStatIn(created).creatingParentContainersIfNeeded().withMode(CreateMode.EPHEMERAL)
                        .forPath(path, data);
                return created.getMzxid();
            } catch (KeeperException.NodeExistsException exists) {
                Stat stat = client.checkExists().forPath(path);
                if (stat == null) {
                    continue;
                }
                try {
                    if (stat.getEphemeralOwner() == session) {
                        return client.setData().withVersion(stat.getVersion()).forPath(path, data).getMzxid();
                    }
                    client.delete().withVersion(stat.getVersion()).forPath(path); // another session's (or persistent): replace it
                } catch (KeeperException.BadVersionException | KeeperException.NoNodeException raced) {
                    // changed under us: look again
                }
            }
        }
        throw new RegistryException(what + ": the node at " + path + " kept changing (another client registering the same id?)");
    }

    /** Re-creates a lost node, on the recovery thread; leaves another live session's node alone (its loss wakes us). */
    private void recover(Registration reg) {
        if (closed) {
            return;
        }
        try {
            recovery.execute(() -> ensure(reg));
        } catch (RejectedExecutionException closing) {
            // closed meanwhile
        }
    }

    private void ensure(Registration reg) {
        reg.lock.lock();
        try {
            for (int attempt = 0; attempt < ATTEMPTS && !reg.removed && !closed; attempt++) {
                long session = rememberSession();
                Stat stat = client.checkExists().usingWatcher(reg).forPath(reg.path);
                if (stat == null) {
                    try {
                        client.create().creatingParentContainersIfNeeded().withMode(CreateMode.EPHEMERAL).forPath(reg.path, reg.data);
                        LOG.log(System.Logger.Level.INFO, "re-registered " + reg.path + " in ZooKeeper session 0x" + Long.toHexString(session));
                        return;
                    } catch (KeeperException.NodeExistsException raced) {
                        continue;
                    }
                }
                if (stat.getEphemeralOwner() == session || !ownSessions.contains(stat.getEphemeralOwner())) {
                    return; // ours and alive, or another live client's: the watch tells us when that changes
                }
                try {
                    client.delete().withVersion(stat.getVersion()).forPath(reg.path); // a lost session of ours left it
                } catch (KeeperException.BadVersionException | KeeperException.NoNodeException raced) {
                    // look again
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // closing
        } catch (Exception e) {
            if (!closed) {
                // Unreachable or refused: the next reconnect (or the node's watch) tries again.
                LOG.log(System.Logger.Level.WARNING, "could not restore the registration at " + reg.path
                        + "; will retry on reconnect: " + errors.translate("restore " + reg.path, e).getMessage());
            }
        } finally {
            reg.lock.unlock();
        }
    }

    private void watch(Registration reg) {
        try {
            client.checkExists().usingWatcher(reg).inBackground().forPath(reg.path);
        } catch (Exception e) {
            LOG.log(System.Logger.Level.DEBUG, "could not watch " + reg.path + "; a reconnect restores it", e);
        }
    }

    private long rememberSession() {
        try {
            long session = client.getZookeeperClient().getZooKeeper().getSessionId();
            if (session != 0) {
                ownSessions.add(session);
            }
            return session;
        } catch (Exception e) {
            return 0;
        }
    }
}
