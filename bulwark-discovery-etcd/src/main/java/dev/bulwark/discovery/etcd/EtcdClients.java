package dev.bulwark.discovery.etcd;

import dev.bulwark.InvalidConfigException;
import dev.bulwark.discovery.RegistryConfig;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import io.grpc.netty.GrpcSslContexts;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.File;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.net.ssl.SSLException;

/**
 * Turns a {@link RegistryConfig} into a jetcd {@link Client}, checking the etcd-specific parts
 * (endpoint URLs, TLS files, options) with errors that name the field.
 *
 * <ul>
 *   <li>{@code endpoints}: {@code http://host:port}, {@code https://host:port} or {@code host:port}
 *       (port 2379 when left out).</li>
 *   <li>{@code tls}, or {@code https://} endpoints: TLS, trusting the JVM's default CAs unless
 *       {@code option.tls-ca-file} names a PEM file of CA certificates; {@code option.tls-cert-file}
 *       and {@code option.tls-key-file} (a PEM certificate chain and its PKCS#8 PEM key) present a
 *       client certificate to servers started with {@code --client-cert-auth}.</li>
 *   <li>{@code username}/{@code password}: etcd's own authentication.</li>
 *   <li>{@code connectTimeout}: TCP connect timeout, and the longest any call waits.</li>
 *   <li>{@code sessionTimeout}: how long a silent connection lives before it is declared dead: gRPC
 *       keepalive pings every {@code max(10 s, sessionTimeout - timeout)} and gives up after
 *       {@code timeout = max(1 s, sessionTimeout / 3)} without an answer (gRPC allows no faster pings).</li>
 * </ul>
 *
 * Calls are not queued while the server is down ({@code waitForReady} off): they fail fast and
 * the registry retries what must survive (watches, lease keepalives) itself.
 */
final class EtcdClients {
    static final String TLS_CA_FILE = "tls-ca-file";
    static final String TLS_CERT_FILE = "tls-cert-file";
    static final String TLS_KEY_FILE = "tls-key-file";
    private static final Set<String> OPTIONS = Set.of(TLS_CA_FILE, TLS_CERT_FILE, TLS_KEY_FILE);
    private static final int DEFAULT_PORT = 2379;
    /**
     * The largest gRPC message the client accepts: gRPC's default of 4 MiB is too small for a page
     * of a few large values; etcd's own request limit is 1.5 MiB a value by default. Bounded, so a
     * runaway answer cannot take the heap.
     */
    static final int MAX_INBOUND_BYTES = 64 << 20;

    private EtcdClients() {
    }

    /** The endpoints as URLs with scheme and port, checked. */
    static List<URI> endpoints(RegistryConfig config) {
        List<URI> out = new ArrayList<>();
        for (String endpoint : config.endpoints()) {
            String text = endpoint.contains("://") ? endpoint : (config.tls() ? "https://" : "http://") + endpoint;
            URI uri;
            try {
                uri = URI.create(text);
            } catch (IllegalArgumentException e) {
                throw invalidEndpoint(endpoint);
            }
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null
                    || (uri.getPath() != null && !uri.getPath().isEmpty() && !uri.getPath().equals("/"))) {
                throw invalidEndpoint(endpoint);
            }
            if (config.tls() && scheme.equals("http")) {
                throw new InvalidConfigException("endpoints", endpoint, "an https:// URL or host:port when tls is on");
            }
            out.add(URI.create(scheme + "://" + uri.getRawAuthority().replaceFirst("^[^@]*@", "")
                    + (uri.getPort() < 0 ? ":" + DEFAULT_PORT : "")));
        }
        boolean https = out.stream().anyMatch(u -> u.getScheme().equals("https"));
        if (https && out.stream().anyMatch(u -> u.getScheme().equals("http"))) {
            throw new InvalidConfigException("endpoints", config.endpoints(), "all http:// or all https://, not a mix");
        }
        return out;
    }

    /** Whether connections use TLS: {@code tls} on, or https:// endpoints. */
    static boolean tls(RegistryConfig config, List<URI> endpoints) {
        return config.tls() || endpoints.stream().anyMatch(u -> u.getScheme().equals("https"));
    }

    /** Checks the etcd options; call before {@link #create}. */
    static void checkOptions(RegistryConfig config, boolean tls) {
        for (String name : config.options().keySet()) {
            if (!OPTIONS.contains(name)) {
                throw new InvalidConfigException("option." + name, config.options().get(name),
                        "one of option." + TLS_CA_FILE + ", option." + TLS_CERT_FILE + ", option." + TLS_KEY_FILE);
            }
            if (!tls) {
                throw new InvalidConfigException("option." + name, config.options().get(name),
                        "set only with TLS on (tls=true or https:// endpoints)");
            }
            File file = new File(config.options().get(name));
            if (!file.canRead()) {
                throw new InvalidConfigException("option." + name, file, "a readable PEM file");
            }
        }
        boolean cert = config.options().containsKey(TLS_CERT_FILE);
        boolean key = config.options().containsKey(TLS_KEY_FILE);
        if (cert != key) {
            throw new InvalidConfigException(cert ? "option." + TLS_KEY_FILE : "option." + TLS_CERT_FILE, "missing",
                    "both option." + TLS_CERT_FILE + " and option." + TLS_KEY_FILE + ", or neither");
        }
    }

    static Client create(RegistryConfig config, List<URI> endpoints, boolean tls) {
        Duration session = config.sessionTimeout();
        Duration pingTimeout = max(Duration.ofSeconds(1), session.dividedBy(3));
        Duration pingEvery = max(Duration.ofSeconds(10), session.minus(pingTimeout));
        ClientBuilder builder = Client.builder()
                .endpoints(endpoints.toArray(URI[]::new))
                .connectTimeout(config.connectTimeout())
                .retryMaxDuration(config.connectTimeout())
                .waitForReady(false)
                .maxInboundMessageSize(MAX_INBOUND_BYTES)
                .keepaliveTime(pingEvery)
                .keepaliveTimeout(pingTimeout);
        if (!config.username().isEmpty()) {
            builder.user(Keys.bytes(config.username()))
                    .password(io.etcd.jetcd.ByteSequence.from(config.password(), StandardCharsets.UTF_8));
        }
        if (tls) {
            builder.sslContext(sslContext(config));
        }
        return builder.build();
    }

    private static io.netty.handler.ssl.SslContext sslContext(RegistryConfig config) {
        SslContextBuilder ssl = GrpcSslContexts.forClient();
        String ca = config.option(TLS_CA_FILE, null);
        String cert = config.option(TLS_CERT_FILE, null);
        String key = config.option(TLS_KEY_FILE, null);
        try {
            if (ca != null) {
                ssl.trustManager(new File(ca));
            }
        } catch (IllegalArgumentException e) {
            throw invalidFile(TLS_CA_FILE, ca, "a PEM file of CA certificates", e);
        }
        try {
            if (cert != null) {
                ssl.keyManager(new File(cert), new File(key));
            }
        } catch (IllegalArgumentException e) {
            throw invalidFile(TLS_CERT_FILE, cert, "a PEM certificate chain matching the PKCS#8 PEM key in option."
                    + TLS_KEY_FILE, e);
        }
        try {
            return ssl.build();
        } catch (SSLException | IllegalArgumentException e) {
            InvalidConfigException invalid = new InvalidConfigException("tls", "true (CA file " + ca + ", certificate file "
                    + cert + ")", "settings a TLS context can be built from; it failed with: " + e.getMessage());
            invalid.initCause(e);
            throw invalid;
        }
    }

    private static InvalidConfigException invalidFile(String option, String value, String allowed, Exception cause) {
        InvalidConfigException e = new InvalidConfigException("option." + option, value, allowed);
        e.initCause(cause);
        return e;
    }

    private static InvalidConfigException invalidEndpoint(String endpoint) {
        return new InvalidConfigException("endpoints", endpoint, "http://host:port, https://host:port or host:port");
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
