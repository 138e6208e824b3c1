package dev.bulwark.config;

import com.alibaba.nacos.api.common.Constants;
import com.alibaba.nacos.api.config.ConfigService;
import com.alibaba.nacos.api.config.listener.ConfigFuzzyWatchChangeEvent;
import com.alibaba.nacos.api.config.listener.FuzzyWatchEventWatcher;
import com.alibaba.nacos.api.config.listener.Listener;
import com.alibaba.nacos.api.exception.NacosException;
import com.alibaba.nacos.api.exception.runtime.NacosRuntimeException;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * One Nacos server's config store and the one nacos-client connection a policy source talks
 * through, behind the {@link ConfigService} interface, for the tests that need no server (no
 * Nacos package exists for this machine; {@code NacosLivePoliciesTest} runs against a real one
 * when {@code NACOS_ADDR} is set). It keeps the rules of Nacos 3 a source relies on, as its
 * client and server code show them:
 * <ul>
 *   <li>a fuzzy watch ({@code prefix*}) is told of every document already matching as an
 *       {@code ADD_CONFIG} event, then of documents added and deleted, never of a content change;
 *       its future lists the matches as {@code dataId+group+public};</li>
 *   <li>a listener signed by {@code getConfigAndSignListener} hears each new content (null once
 *       the document is deleted), not the content it was signed with;</li>
 *   <li>while the connection is down the status is "DOWN", calls fail, nothing is pushed; when it
 *       is back the client compares what it knew with the server and reports the difference
 *       (added and deleted keys to the watches, changed contents to the listeners).</li>
 * </ul>
 * Callbacks run on the watcher's and listener's executors.
 */
final class FakeNacosConfig {
    private final Map<String, String> documents = new TreeMap<>(); // dataId+group -> content
    private final List<Watch> watches = new ArrayList<>();
    private final List<Signed> listeners = new ArrayList<>();
    private boolean connected = true;

    /** A fuzzy watch and the keys it has been told of. */
    private record Watch(String prefix, String group, FuzzyWatchEventWatcher watcher, Set<String> known) {
    }

    /** A signed listener and the content it last heard (or was signed with). */
    private static final class Signed {
        final String dataId;
        final String group;
        final Listener listener;
        String last;

        Signed(String dataId, String group, Listener listener, String last) {
            this.dataId = dataId;
            this.group = group;
            this.listener = listener;
            this.last = last;
        }
    }

    ConfigService client() {
        return (ConfigService) Proxy.newProxyInstance(ConfigService.class.getClassLoader(), new Class<?>[] {ConfigService.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "fuzzyWatchWithGroupKeys" -> fuzzyWatch((String) args[0], (String) args[1], (FuzzyWatchEventWatcher) args[2]);
                    case "getConfigAndSignListener" -> sign((String) args[0], (String) args[1], (Listener) args[3]);
                    case "getConfig" -> read((String) args[0], (String) args[1]);
                    case "removeListener" -> unsign((String) args[0], (String) args[1], (Listener) args[2]);
                    case "cancelFuzzyWatch" -> cancel((String) args[0], (String) args[1], (FuzzyWatchEventWatcher) args[2]);
                    case "getServerStatus" -> status();
                    case "shutDown" -> null;
                    case "toString" -> "FakeNacosConfig";
                    case "hashCode" -> System.identityHashCode(proxy);
                    case "equals" -> proxy == args[0];
                    default -> throw new UnsupportedOperationException(method.getName() + " is not faked");
                });
    }

    /** Writes a document on the server, as another client would; pushed at once when connected. */
    synchronized void publish(String dataId, String group, String content) {
        documents.put(dataId + "+" + group, content);
        if (connected) {
            push();
        }
    }

    /** Deletes a document on the server; pushed at once when connected. */
    synchronized void remove(String dataId, String group) {
        documents.remove(dataId + "+" + group);
        if (connected) {
            push();
        }
    }

    /** The client loses its connection. */
    synchronized void disconnect() {
        connected = false;
    }

    /** The client is connected again and catches up with what changed meanwhile. */
    synchronized void reconnect() {
        connected = true;
        push();
    }

    synchronized int watchCount() {
        return watches.size();
    }

    synchronized int listenerCount() {
        return listeners.size();
    }

    private synchronized String status() {
        return connected ? "UP" : "DOWN";
    }

    private synchronized CompletableFuture<Set<String>> fuzzyWatch(String pattern, String group, FuzzyWatchEventWatcher watcher) {
        if (!connected) {
            throw new NacosRuntimeException(NacosException.CLIENT_DISCONNECT, "Client not connected, current status:UNHEALTHY");
        }
        Watch watch = new Watch(pattern.substring(0, pattern.length() - 1), group, watcher, new HashSet<>());
        watches.add(watch);
        Set<String> groupKeys = new HashSet<>();
        for (String dataId : matching(watch)) {
            groupKeys.add(dataId + "+" + group + "+public");
        }
        push();
        return CompletableFuture.completedFuture(groupKeys);
    }

    private synchronized String sign(String dataId, String group, Listener listener) throws NacosException {
        String content = read(dataId, group);
        listeners.add(new Signed(dataId, group, listener, content));
        return content;
    }

    private synchronized String read(String dataId, String group) throws NacosException {
        if (!connected) {
            throw new NacosException(NacosException.CLIENT_DISCONNECT, "Client not connected, current status:UNHEALTHY");
        }
        return documents.get(dataId + "+" + group);
    }

    private synchronized Object unsign(String dataId, String group, Listener listener) {
        listeners.removeIf(s -> s.listener == listener && s.dataId.equals(dataId) && s.group.equals(group));
        return null;
    }

    private synchronized Object cancel(String pattern, String group, FuzzyWatchEventWatcher watcher) {
        watches.removeIf(w -> w.watcher == watcher && w.group.equals(group) && (w.prefix + "*").equals(pattern));
        return null;
    }

    private Set<String> matching(Watch watch) {
        Set<String> ids = new HashSet<>();
        for (String key : documents.keySet()) {
            String dataId = key.substring(0, key.indexOf('+'));
            if (key.endsWith("+" + watch.group) && dataId.startsWith(watch.prefix)) {
                ids.add(dataId);
            }
        }
        return ids;
    }

    /** Tells every watch of keys added and removed, and every listener of a content it has not heard. */
    private void push() {
        for (Watch watch : watches) {
            Set<String> now = matching(watch);
            for (String added : now) {
                if (watch.known.add(added)) {
                    event(watch, added, Constants.ConfigChangedType.ADD_CONFIG);
                }
            }
            for (String gone : new HashSet<>(watch.known)) {
                if (!now.contains(gone)) {
                    watch.known.remove(gone);
                    event(watch, gone, Constants.ConfigChangedType.DELETE_CONFIG);
                }
            }
        }
        for (Signed signed : listeners) {
            String content = documents.get(signed.dataId + "+" + signed.group);
            if (!Objects.equals(content, signed.last)) {
                signed.last = content;
                run(signed.listener.getExecutor(), () -> signed.listener.receiveConfigInfo(content));
            }
        }
    }

    private static void event(Watch watch, String dataId, String type) {
        ConfigFuzzyWatchChangeEvent event = ConfigFuzzyWatchChangeEvent.build("public", watch.group, dataId, type,
                Constants.FUZZY_WATCH_RESOURCE_CHANGED);
        run(watch.watcher.getExecutor(), () -> watch.watcher.onEvent(event));
    }

    private static void run(Executor executor, Runnable task) {
        if (executor == null) {
            task.run();
        } else {
            executor.execute(task);
        }
    }
}
