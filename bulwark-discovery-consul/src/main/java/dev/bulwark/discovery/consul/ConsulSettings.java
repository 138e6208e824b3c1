package dev.bulwark.discovery.consul;

import dev.bulwark.InvalidConfigException;
import dev.bulwark.discovery.RegistryConfig;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Collection;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import okhttp3.ConnectionPool;
import org.kiwiproject.consul.Consul;

/**
 * A {@link RegistryConfig} checked for Consul, and the consul-client clients made from it.
 *
 * <ul>
 *   <li>{@code endpoints}: exactly one agent, {@code http://host:port}, {@code https://host:port}
 *       or {@code host:port} (port 8500 when left out). One, because registrations belong to the
 *       agent they were made with: failing over to another agent would scatter them.</li>
 *   <li>{@code tls}, or an {@code https://} endpoint: HTTPS, trusting the JVM's CAs unless
 *       {@code option.tls-ca-file} names a PEM file of CA certificates.</li>
 *   <li>{@code option.token}: the ACL token, sent as {@code X-Consul-Token} on every request.</li>
 *   <li>{@code option.datacenter}: the datacenter to read from ({@code ?dc=}); registrations always
 *       go to the agent's own datacenter.</li>
 *   <li>{@code option.deregister-critical-after}: how long Consul keeps an instance whose heartbeats
 *       stopped before removing it (default 1m; Consul raises anything shorter to 1m).</li>
 *   <li>{@code option.read-timeout}: how long a plain request waits for its answer (default 10s);
 *       a blocking query waits its own wait on top.</li>
 *   <li>{@code option.watch-wait}: how long one blocking query of a watch may wait for a change
 *       (whole seconds, 1s to 10m, default 60s). Shorter notices a silently dead connection sooner;
 *       longer sends fewer requests.</li>
 *   <li>{@code connect-timeout}: TCP connect timeout. {@code session-timeout}: the TTL of the check
 *       of an instance registered without a TTL, which this client keeps passing until it closes.</li>
 * </ul>
 *
 * Consul has no user names: {@code username}/{@code password} are refused, as is a
 * {@code namespace} (Consul Enterprise namespaces are not supported).
 */
final class ConsulSettings {
    static final String TOKEN = "token";
    static final String DATACENTER = "datacenter";
    static final String DEREGISTER_CRITICAL_AFTER = "deregister-critical-after";
    static final String READ_TIMEOUT = "read-timeout";
    static final String WATCH_WAIT = "watch-wait";
    static final String TLS_CA_FILE = "tls-ca-file";
    private static final Set<String> OPTIONS = new TreeSet<>(Set.of(TOKEN, DATACENTER, DEREGISTER_CRITICAL_AFTER,
            READ_TIMEOUT, WATCH_WAIT, TLS_CA_FILE));
    private static final int DEFAULT_PORT = 8500;

    final URI agent;
    final String token;
    final String datacenter;
    final Duration deregisterCriticalAfter;
    final Duration connectTimeout;
    final Duration readTimeout;
    final Duration sessionTimeout;
    final int watchWaitSeconds;
    private final SSLContext ssl;
    private final X509TrustManager trust;

    private ConsulSettings(RegistryConfig config) {
        if (!config.username().isEmpty()) {
            throw new InvalidConfigException("username", config.username(),
                    "empty: Consul authenticates by ACL token, set option." + TOKEN);
        }
        if (!config.namespace().isEmpty()) {
            throw new InvalidConfigException("namespace", config.namespace(),
                    "empty: Consul Enterprise namespaces are not supported");
        }
        for (String name : config.options().keySet()) {
            if (!OPTIONS.contains(name)) {
                throw new InvalidConfigException("option." + name, config.options().get(name),
                        "one of option." + String.join(", option.", OPTIONS));
            }
        }
        this.agent = agent(config);
        this.token = nonBlankOrEmpty(TOKEN, config.option(TOKEN, ""));
        this.datacenter = nonBlankOrEmpty(DATACENTER, config.option(DATACENTER, ""));
        this.deregisterCriticalAfter = DurationText.parse("option." + DEREGISTER_CRITICAL_AFTER,
                config.option(DEREGISTER_CRITICAL_AFTER, "1m"));
        this.readTimeout = DurationText.parse("option." + READ_TIMEOUT, config.option(READ_TIMEOUT, "10s"));
        Duration wait = DurationText.parse("option." + WATCH_WAIT, config.option(WATCH_WAIT, "60s"));
        if (wait.getNano() != 0 || wait.getSeconds() > 600) {
            throw new InvalidConfigException("option." + WATCH_WAIT, config.option(WATCH_WAIT, ""),
                    "whole seconds from 1s to 10m (Consul's longest blocking wait)");
        }
        this.watchWaitSeconds = (int) wait.getSeconds();
        this.connectTimeout = config.connectTimeout();
        this.sessionTimeout = config.sessionTimeout();
        String caFile = config.option(TLS_CA_FILE, null);
        if (caFile != null && !agent.getScheme().equals("https")) {
            throw new InvalidConfigException("option." + TLS_CA_FILE, caFile, "set only with TLS on (tls=true or an https:// endpoint)");
        }
        if (caFile != null) {
            this.trust = trustManager(caFile);
            this.ssl = sslContext(trust);
        } else {
            this.trust = null;
            this.ssl = null;
        }
    }

    static ConsulSettings from(RegistryConfig config) {
        return new ConsulSettings(config);
    }

    /** A new consul-client on these settings, sharing {@code pool}'s connections. */
    Consul client(ConnectionPool pool) {
        Consul.Builder builder = Consul.builder()
                .withUrl(agent.toString())
                .withPing(false)
                .withConnectionPool(pool)
                .withConnectTimeoutMillis(connectTimeout.toMillis())
                .withReadTimeoutMillis(readTimeout.toMillis())
                .withWriteTimeoutMillis(readTimeout.toMillis());
        if (!token.isEmpty()) {
            builder.withTokenAuth(token);
        }
        if (ssl != null) {
            builder.withSslContext(ssl).withTrustManager(trust);
        }
        return builder.build();
    }

    /** "Consul agent at http://host:port", for messages. */
    String where() {
        return "Consul agent at " + agent + (datacenter.isEmpty() ? "" : " (datacenter " + datacenter + ")");
    }

    private static URI agent(RegistryConfig config) {
        if (config.endpoints().size() != 1) {
            throw new InvalidConfigException("endpoints", config.endpoints(),
                    "exactly one Consul agent: registrations belong to the agent they are made with");
        }
        String endpoint = config.endpoints().get(0);
        String text = endpoint.contains("://") ? endpoint : (config.tls() ? "https://" : "http://") + endpoint;
        URI uri;
        try {
            uri = URI.create(text);
        } catch (IllegalArgumentException e) {
            throw invalidEndpoint(endpoint);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null || uri.getUserInfo() != null
                || uri.getQuery() != null || uri.getPath() != null && !uri.getPath().isEmpty() && !uri.getPath().equals("/")) {
            throw invalidEndpoint(endpoint);
        }
        if (config.tls() && scheme.equals("http")) {
            throw new InvalidConfigException("endpoints", endpoint, "an https:// URL or host:port when tls is on");
        }
        return URI.create(scheme + "://" + uri.getRawAuthority() + (uri.getPort() < 0 ? ":" + DEFAULT_PORT : ""));
    }

    private static InvalidConfigException invalidEndpoint(String endpoint) {
        return new InvalidConfigException("endpoints", endpoint, "http://host:port, https://host:port or host:port");
    }

    private static String nonBlankOrEmpty(String option, String value) {
        if (!value.isEmpty() && value.isBlank() || !value.equals(value.trim())) {
            throw new InvalidConfigException("option." + option, "\"" + value + "\"", "a value without surrounding spaces");
        }
        return value;
    }

    private static X509TrustManager trustManager(String caFile) {
        File file = new File(caFile);
        try (InputStream in = Files.newInputStream(file.toPath())) {
            Collection<? extends Certificate> certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certificates.isEmpty()) {
                throw new InvalidConfigException("option." + TLS_CA_FILE, caFile, "a PEM file holding at least one CA certificate");
            }
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            int n = 0;
            for (Certificate certificate : certificates) {
                store.setCertificateEntry("ca-" + n++, certificate);
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            for (TrustManager manager : factory.getTrustManagers()) {
                if (manager instanceof X509TrustManager x509) {
                    return x509;
                }
            }
            throw new IllegalStateException("the JVM's default TrustManagerFactory made no X509TrustManager");
        } catch (IOException | GeneralSecurityException e) {
            InvalidConfigException invalid = new InvalidConfigException("option." + TLS_CA_FILE, caFile,
                    "a readable PEM file of CA certificates (" + e.getMessage() + ")");
            invalid.initCause(e);
            throw invalid;
        }
    }

    private static SSLContext sslContext(X509TrustManager trust) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {trust}, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JVM offers no TLS SSLContext", e);
        }
    }
}
