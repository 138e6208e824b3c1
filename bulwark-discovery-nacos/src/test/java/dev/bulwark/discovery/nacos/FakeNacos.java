package dev.bulwark.discovery.nacos;

import com.alibaba.nacos.api.naming.NamingService;
import com.alibaba.nacos.api.naming.listener.EventListener;
import com.alibaba.nacos.api.naming.listener.NamingEvent;
import com.alibaba.nacos.api.naming.pojo.Instance;
import com.alibaba.nacos.api.naming.pojo.ListView;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A stand-in for one Nacos server and the one nacos-client connection {@link NacosRegistry}
 * talks through, behind the {@link NamingService} interface, for the tests that need no server
 * (no Nacos package exists for this machine; {@code NacosContractTest} runs the real thing when
 * {@code NACOS_ADDR} is set). It knows only the calls NacosRegistry makes, and Nacos's rules
 * that matter to them: one publication of ephemeral instances per service and connection
 * (replaced by every register), persistent instances keyed by address, and full-list pushes,
 * which here happen only when a test calls {@link #push}, so that tests decide the timing.
 */
final class FakeNacos {
    private final Map<String, List<Instance>> published = new ConcurrentHashMap<>();   // this client's ephemeral ones
    private final Map<String, List<Instance>> others = new ConcurrentHashMap<>();      // other clients' and persistent ones
    private final Map<String, List<EventListener>> subscribers = new ConcurrentHashMap<>();
    private final Map<String, List<Instance>> frozen = new ConcurrentHashMap<>();
    private volatile boolean readsFrozen;
    private volatile String status = "UP";

    NamingService naming() {
        return (NamingService) Proxy.newProxyInstance(NamingService.class.getClassLoader(), new Class<?>[] {NamingService.class},
                (proxy, method, args) -> call(method, args));
    }

    /** Adds an instance as another client (or a persistent registration) would. */
    void put(String service, Instance instance) {
        others.computeIfAbsent(service, s -> new CopyOnWriteArrayList<>()).add(copy(instance));
    }

    /** Every instance of {@code service} the server has now. */
    List<Instance> instances(String service) {
        List<Instance> out = new ArrayList<>();
        published.getOrDefault(service, List.of()).forEach(i -> out.add(copy(i)));
        others.getOrDefault(service, List.of()).forEach(i -> out.add(copy(i)));
        return out;
    }

    /** This client's current publication for {@code service}. */
    List<Instance> published(String service) {
        return published.getOrDefault(service, List.of());
    }

    /** Pushes the service's whole list to its subscribers, as Nacos does after a change. */
    void push(String service) {
        push(service, instances(service));
    }

    /** Pushes {@code instances} as the service's list, whatever the server holds (an empty push, say). */
    void push(String service, List<Instance> instances) {
        for (EventListener listener : subscribers.getOrDefault(service, List.of())) {
            listener.onEvent(new NamingEvent(service, NacosSettings.DEFAULT_GROUP, "", new ArrayList<>(instances)));
        }
    }

    /** While set, reads answer what the server held when this was called, as Nacos's read snapshot lags writes. */
    void freezeReads(boolean on) {
        if (on) {
            frozen.clear();
            for (String service : services()) {
                frozen.put(service, instances(service));
            }
        }
        readsFrozen = on;
    }

    /** What {@code getServerStatus} answers: UP or DOWN. */
    void status(String value) {
        status = value;
    }

    private Object call(Method method, Object[] args) {
        switch (method.getName()) {
            case "registerInstance" -> register((String) args[0], (Instance) args[2]);
            case "batchRegisterInstance" -> {
                @SuppressWarnings("unchecked")
                List<Instance> batch = (List<Instance>) args[2];
                List<Instance> copies = new CopyOnWriteArrayList<>();
                batch.forEach(i -> copies.add(copy(i)));
                published.put((String) args[0], copies);
            }
            case "deregisterInstance" -> deregister((String) args[0], (Instance) args[2]);
            case "getAllInstances" -> {
                String service = (String) args[0];
                return readsFrozen ? new ArrayList<>(frozen.getOrDefault(service, List.of())) : instances(service);
            }
            case "getServicesOfServer" -> {
                ListView<String> view = new ListView<>();
                List<String> names = services();
                int page = (Integer) args[0];
                int size = (Integer) args[1];
                view.setCount(names.size());
                view.setData(names.subList(Math.min(names.size(), (page - 1) * size), Math.min(names.size(), page * size)));
                return view;
            }
            case "subscribe" -> subscribers.computeIfAbsent((String) args[0], s -> new CopyOnWriteArrayList<>())
                    .add((EventListener) args[2]);
            case "unsubscribe" -> subscribers.getOrDefault((String) args[0], new ArrayList<>()).remove((EventListener) args[2]);
            case "getServerStatus" -> {
                return status;
            }
            case "shutDown" -> published.clear(); // this client's ephemeral instances go with its connection
            case "hashCode" -> {
                return System.identityHashCode(this);
            }
            case "equals" -> {
                return args[0] == this;
            }
            case "toString" -> {
                return "FakeNacos";
            }
            default -> throw new UnsupportedOperationException("FakeNacos does not do " + method.getName());
        }
        return null;
    }

    private void register(String service, Instance instance) {
        if (instance.isEphemeral()) {
            List<Instance> one = new CopyOnWriteArrayList<>();
            one.add(copy(instance));
            published.put(service, one); // replaces this client's previous publication
        } else {
            deregister(service, instance);
            put(service, instance);
        }
    }

    private void deregister(String service, Instance instance) {
        if (instance.isEphemeral()) {
            published.remove(service);
        } else {
            others.getOrDefault(service, new ArrayList<>()).removeIf(i -> !i.isEphemeral() && i.getIp().equals(instance.getIp())
                    && i.getPort() == instance.getPort() && java.util.Objects.equals(i.getClusterName(), instance.getClusterName()));
        }
    }

    private List<String> services() {
        Map<String, Boolean> names = new LinkedHashMap<>();
        published.forEach((s, l) -> names.put(s, true));
        others.forEach((s, l) -> names.put(s, true));
        return new ArrayList<>(names.keySet());
    }

    /** What a client gets back is a copy, as after serialization: later changes to either side are not shared. */
    static Instance copy(Instance source) {
        Instance target = new Instance();
        target.setInstanceId(source.getInstanceId());
        target.setIp(source.getIp());
        target.setPort(source.getPort());
        target.setWeight(source.getWeight());
        target.setHealthy(source.isHealthy());
        target.setEnabled(source.isEnabled());
        target.setEphemeral(source.isEphemeral());
        target.setClusterName(source.getClusterName());
        target.setServiceName(source.getServiceName());
        target.setMetadata(new HashMap<>(source.getMetadata()));
        return target;
    }
}
