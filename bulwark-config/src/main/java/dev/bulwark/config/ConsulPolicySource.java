package dev.bulwark.config;

import dev.bulwark.internal.Check;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/**
 * A config center on Consul's key-value store: key {@code /config/prod/orders/breakers/x.json} is
 * the Consul key {@code config/prod/orders/breakers/x.json}, its {@code ModifyIndex} the revision.
 * Each watch is a loop of blocking queries on the prefix ({@code ?recurse&index=N&wait=...}): every
 * answer is the prefix in full, compared with what was delivered, so a change made while Consul
 * was away arrives with the first answer after it, and none twice. An index that goes backwards
 * (a Consul restarted without its data) starts over from a full read. Callbacks run one at a time
 * on this source's own thread; the JDK's HTTP client makes the requests.
 *
 * <pre>{@code
 * ConsulPolicySource source = ConsulPolicySource.connect(URI.create("http://127.0.0.1:8500"), aclToken);
 * }</pre>
 */
public final class ConsulPolicySource implements PolicySource {
    private static final Duration WAIT = Duration.ofSeconds(30);

    private final URI address;
    private final String token;
    private final Duration wait;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Watches watches = new Watches("bulwark-policy-consul");
    private final ScheduledExecutorService events = watches.events();

    private ConsulPolicySource(URI address, String token, Duration wait) {
        this.address = address;
        this.token = token;
        this.wait = wait;
    }

    /** Documents in the Consul agent at {@code address} ({@code http://127.0.0.1:8500}), without an ACL token. */
    public static ConsulPolicySource connect(URI address) {
        return new ConsulPolicySource(checked(address), null, WAIT);
    }

    /** As {@link #connect(URI)}, sending {@code aclToken} with every request. */
    public static ConsulPolicySource connect(URI address, String aclToken) {
        return new ConsulPolicySource(checked(address), Check.name("aclToken", aclToken), WAIT);
    }

    /** As {@link #connect(URI)}, each blocking query waiting at most {@code wait} (1 s to 10 min) for a change. */
    static ConsulPolicySource connect(URI address, Duration wait) {
        return new ConsulPolicySource(checked(address), null, wait);
    }

    private static URI checked(URI address) {
        Check.notNull("address", address);
        if (!("http".equals(address.getScheme()) || "https".equals(address.getScheme())) || address.getHost() == null) {
            throw new dev.bulwark.InvalidConfigException("address", address, "http://host:port or https://host:port");
        }
        return address;
    }

    @Override
    public Subscription watch(String prefix, Listener listener) {
        Check.notNull("prefix", prefix);
        Check.notNull("listener", listener);
        PrefixWatch watch = new PrefixWatch(prefix, listener);
        return watches.start(() -> watch.query(0), watch::close);
    }

    /** Closes every watch, then the source's thread. */
    @Override
    public void close() {
        watches.closeAll();
    }

    /** One prefix followed: the modify index of each key delivered, and the query in flight. Confined to the events thread. */
    private final class PrefixWatch {
        private final String prefix;
        private final String consulPrefix;
        private final Listener listener;
        private final Map<String, Long> known = new HashMap<>();
        private CompletableFuture<?> inFlight;
        private long lastIndex;
        private boolean down;
        private int failures;
        private boolean closed;

        PrefixWatch(String prefix, Listener listener) {
            this.prefix = prefix;
            this.consulPrefix = prefix.replaceFirst("^/+", "");
            this.listener = listener;
        }

        void query(long index) {
            if (closed) {
                return;
            }
            StringBuilder uri = new StringBuilder(address.toString().replaceAll("/+$", "")).append("/v1/kv/")
                    .append(URLEncoder.encode(consulPrefix, StandardCharsets.UTF_8).replace("%2F", "/")).append("?recurse=true");
            if (index > 0) {
                uri.append("&index=").append(index).append("&wait=").append(wait.toSeconds()).append('s');
            }
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(uri.toString())).GET()
                    .timeout(wait.plusSeconds(10));
            if (token != null) {
                request.header("X-Consul-Token", token);
            }
            inFlight = http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofByteArray())
                    .whenCompleteAsync((response, error) -> answered(response, error), events);
        }

        private void answered(HttpResponse<byte[]> response, Throwable error) {
            if (closed) {
                return;
            }
            if (error == null && response.statusCode() != 200 && response.statusCode() != 404) {
                error = new IllegalStateException("Consul answered " + response.statusCode() + ": "
                        + new String(response.body(), StandardCharsets.UTF_8).strip());
            }
            Map<String, Entry> entries = null;
            long index = 0;
            if (error == null) {
                try {
                    index = Long.parseLong(response.headers().firstValue("X-Consul-Index").orElse("0"));
                    entries = response.statusCode() == 404 ? Map.of() : parse(response.body());
                } catch (RuntimeException e) {
                    error = e;
                }
            }
            if (error != null) {
                failed(error);
                return;
            }
            deliver(entries, index);
            if (down) {
                down = false;
                Daemons.resumed("consul", prefix, listener);
            }
            failures = 0;
            // An index that went backwards: Consul lost its state; read afresh (index 0) rather than wait on a stale one.
            lastIndex = index < lastIndex || index <= 0 ? 0 : index;
            query(lastIndex == 0 ? 1 : lastIndex);
        }

        private void deliver(Map<String, Entry> entries, long index) {
            for (Map.Entry<String, Entry> e : entries.entrySet()) {
                Long before = known.put(e.getKey(), e.getValue().modifyIndex);
                if (before == null || before != e.getValue().modifyIndex) {
                    String key = "/" + e.getKey();
                    Daemons.tell(() -> listener.onPut(key, e.getValue().value, e.getValue().modifyIndex));
                }
            }
            for (String gone : new HashSet<>(known.keySet())) {
                if (!entries.containsKey(gone)) {
                    known.remove(gone);
                    Daemons.tell(() -> listener.onDelete("/" + gone, index));
                }
            }
        }

        private void failed(Throwable error) {
            if (!down) {
                down = true;
                Daemons.unavailable("consul", prefix, error, listener);
            }
            Daemons.retry(events, failures++, () -> query(0));
        }

        void close() {
            closed = true;
            if (inFlight != null) {
                inFlight.cancel(true);
            }
        }
    }

    /** One key's value (base64 in Consul's answer; empty when it has none) and modify index. */
    private record Entry(byte[] value, long modifyIndex) {
    }

    /** Consul's answer, a JSON array of {@code {"Key", "Value", "ModifyIndex", ...}}, read as YAML 1.2 (JSON is a subset). */
    private static Map<String, Entry> parse(byte[] body) {
        Object root = new Load(LoadSettings.builder().build()).loadFromString(new String(body, StandardCharsets.UTF_8));
        if (!(root instanceof List<?> items)) {
            throw new IllegalStateException("Consul's answer is not a JSON array");
        }
        Map<String, Entry> entries = new HashMap<>();
        for (Object item : items) {
            if (item instanceof Map<?, ?> map && map.get("Key") instanceof String key && !key.endsWith("/")) {
                Object value = map.get("Value");
                long modify = map.get("ModifyIndex") instanceof Number n ? n.longValue() : 0;
                entries.put(key, new Entry(value instanceof String s ? Base64.getDecoder().decode(s) : new byte[0], modify));
            }
        }
        return entries;
    }
}
