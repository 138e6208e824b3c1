package dev.bulwark.discovery.zookeeper;

import dev.bulwark.discovery.RegistryConfig;
import java.time.Duration;
import java.util.Map;
import org.apache.curator.test.InstanceSpec;
import org.apache.curator.test.TestingServer;

/**
 * A real ZooKeeper server in this process (Curator's {@link TestingServer}), on a free port of
 * 127.0.0.1 only. Its tick is 100 ms so that sessions of a few seconds are allowed and expire on
 * time; {@link #stop()} and {@link #restart()} keep its data and its port.
 */
final class TestZooKeeper implements AutoCloseable {
    /** The session timeout the tests use: the TTL of a registration. */
    static final Duration SESSION = Duration.ofSeconds(2);

    private final TestingServer server;

    private TestZooKeeper(TestingServer server) {
        this.server = server;
    }

    static TestZooKeeper start() {
        InstanceSpec spec = new InstanceSpec(null, InstanceSpec.getRandomPort(), -1, -1, true, -1, 100, -1,
                Map.of("clientPortAddress", "127.0.0.1", "maxSessionTimeout", "60000"), "127.0.0.1");
        try {
            return new TestZooKeeper(new TestingServer(spec, true));
        } catch (Exception e) {
            throw new IllegalStateException("could not start a ZooKeeper test server", e);
        }
    }

    String connectString() {
        return "127.0.0.1:" + server.getPort();
    }

    /** A config for this server under {@code namespace}, with the test session timeout. */
    RegistryConfig.Builder config(String namespace) {
        return RegistryConfig.builder(RegistryConfig.ZOOKEEPER)
                .endpoints(connectString())
                .namespace(namespace)
                .sessionTimeout(SESSION)
                .connectTimeout(SESSION);
    }

    ZooKeeperRegistry connect(String namespace) {
        return ZooKeeperRegistry.connect(config(namespace).build());
    }

    void stop() {
        try {
            server.stop();
        } catch (Exception e) {
            throw new IllegalStateException("could not stop the ZooKeeper test server", e);
        }
    }

    void restart() {
        try {
            server.restart();
        } catch (Exception e) {
            throw new IllegalStateException("could not restart the ZooKeeper test server", e);
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (Exception e) {
            throw new IllegalStateException("could not close the ZooKeeper test server", e);
        }
    }
}
