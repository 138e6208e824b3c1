package dev.bulwark.discovery.etcd;

import static org.awaitility.Awaitility.await;

import dev.bulwark.discovery.RegistryConfig;
import dev.bulwark.testing.tls.TestCertificates;
import io.etcd.jetcd.Client;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real etcd server for tests: Debian's {@code etcd} binary on free loopback ports, with a data
 * directory of its own, logging to the module's {@code target/etcd-logs/}. It can be killed and restarted on
 * the same ports and data, for outage tests. Use it as a JUnit extension
 * ({@code @RegisterExtension static final EtcdServer etcd = EtcdServer.create("name");}, started
 * before the class's tests, stopped after) or start and close it by hand.
 *
 * <p>Without the binary the tests fail (they do not skip): {@code scripts/test} installs it.
 */
public final class EtcdServer implements BeforeAllCallback, AfterAllCallback, AutoCloseable {
    private static final Duration STARTUP = Duration.ofSeconds(30);
    private static final String READY = "serving client traffic";

    private final String name;
    private TestCertificates tls;
    private Path dataDir;
    private int clientPort;
    private int peerPort;
    private Process process;
    private Path log;
    private int starts;
    private Client client;

    private EtcdServer(String name) {
        this.name = name;
    }

    public static EtcdServer create(String name) {
        return new EtcdServer(name);
    }

    /** Serves clients over TLS with these certificates, and requires a client certificate signed by their CA. */
    public EtcdServer tls(TestCertificates certificates) {
        this.tls = certificates;
        return this;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    /** Starts etcd, the first time on new ports and a new data directory, later on the same ones. */
    public synchronized EtcdServer start() {
        if (process != null && process.isAlive()) {
            return this;
        }
        try {
            if (dataDir == null) {
                dataDir = Files.createTempDirectory("etcd-" + name + "-");
                clientPort = freePort();
                do {
                    peerPort = freePort();
                } while (peerPort == clientPort);
            }
            Path logs = targetDir().resolve("etcd-logs");
            Files.createDirectories(logs);
            log = logs.resolve(name + "-" + (++starts) + ".log");
            process = new ProcessBuilder(command())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start etcd (" + binary() + ")", e);
        }
        await().atMost(STARTUP).pollInterval(Duration.ofMillis(50)).until(this::ready);
        return this;
    }

    /** Kills etcd at once (SIGKILL), as a crash would; {@link #start()} brings it back with its data. */
    public synchronized void kill() {
        if (client != null) {
            client.close(); // a client that saw the server die may wait out gRPC's reconnect backoff: use a new one
            client = null;
        }
        if (process != null) {
            process.destroyForcibly();
            try {
                if (!process.waitFor(10, TimeUnit.SECONDS)) {
                    throw new AssertionError("etcd did not die within 10 s of SIGKILL");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while killing etcd", e);
            }
        }
    }

    /** Kills etcd and starts it again on the same ports and data directory. */
    public void restart() {
        kill();
        start();
    }

    @Override
    public synchronized void close() {
        kill();
        process = null;
        if (dataDir != null) {
            try (Stream<Path> files = Files.walk(dataDir)) {
                files.sorted(Comparator.reverseOrder()).map(Path::toFile).forEach(File::delete);
            } catch (IOException e) {
                // A temp directory left behind is harmless.
            }
        }
    }

    public String endpoint() {
        return (tls == null ? "http" : "https") + "://127.0.0.1:" + clientPort;
    }

    /** A config for this server with short timeouts, to add to. */
    public RegistryConfig.Builder config() {
        return RegistryConfig.builder(RegistryConfig.ETCD)
                .endpoints(endpoint())
                .connectTimeout(Duration.ofSeconds(2));
    }

    /** A plain jetcd client of this server, for writing behind the registry's back; closed with the server. */
    public synchronized Client jetcd() {
        if (client == null) {
            var builder = Client.builder().endpoints(endpoint());
            if (tls != null) {
                try {
                    builder.sslContext(ssl -> ssl.trustManager(tls.caCert().toFile())
                            .keyManager(tls.clientCert().toFile(), tls.clientKey().toFile()));
                } catch (javax.net.ssl.SSLException e) {
                    throw new AssertionError("cannot build the test client's TLS context", e);
                }
            }
            client = builder.build();
        }
        return client;
    }

    private List<String> command() {
        String clientUrl = endpoint();
        String peerUrl = "http://127.0.0.1:" + peerPort;
        List<String> command = new ArrayList<>(List.of(binary(),
                "--name", name,
                "--data-dir", dataDir.toString(),
                "--listen-client-urls", clientUrl,
                "--advertise-client-urls", clientUrl,
                "--listen-peer-urls", peerUrl,
                "--initial-advertise-peer-urls", peerUrl,
                "--initial-cluster", name + "=" + peerUrl,
                "--initial-cluster-state", "new",
                "--initial-cluster-token", name,
                "--experimental-watch-progress-notify-interval", "500ms", // idle watches hear the revision often
                "--heartbeat-interval", "100",
                "--election-timeout", "500",
                "--logger", "zap",
                "--log-outputs", "stderr"));
        if (tls != null) {
            command.addAll(List.of(
                    "--cert-file", tls.serverCert().toString(),
                    "--key-file", tls.serverKey().toString(),
                    "--trusted-ca-file", tls.caCert().toString(),
                    "--client-cert-auth"));
        }
        return command;
    }

    private boolean ready() throws IOException {
        if (!process.isAlive()) {
            throw new AssertionError("etcd exited with " + process.exitValue() + "; its log " + log + " ends with:\n"
                    + tail());
        }
        return Files.readString(log, StandardCharsets.UTF_8).contains(READY);
    }

    private String tail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 15), lines.size()));
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    /** The etcd binary on the PATH (or where Debian puts it); fails the test, naming the fix, when there is none. */
    static String binary() {
        List<Path> candidates = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(File.pathSeparator)) {
                if (!dir.isEmpty()) {
                    candidates.add(Path.of(dir, "etcd"));
                }
            }
        }
        candidates.add(Path.of("/usr/bin/etcd"));
        candidates.add(Path.of("/usr/local/bin/etcd"));
        for (Path candidate : candidates) {
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return candidate.toString();
            }
        }
        throw new AssertionError("no etcd binary on the PATH: the etcd tests run a real etcd server. Run scripts/test, "
                + "which installs Debian's etcd-server package when etcd is missing (or: apt-get install etcd-server)");
    }

    /** The module's target directory (where the test classes are), wherever the JVM was started from. */
    static Path targetDir() {
        try {
            return Path.of(EtcdServer.class.getProtectionDomain().getCodeSource().getLocation().toURI()).getParent();
        } catch (java.net.URISyntaxException e) {
            return Path.of("target");
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            return socket.getLocalPort();
        }
    }
}
