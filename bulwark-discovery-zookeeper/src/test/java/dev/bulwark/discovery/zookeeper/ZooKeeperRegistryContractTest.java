package dev.bulwark.discovery.zookeeper;

import dev.bulwark.discovery.ServiceRegistry;
import dev.bulwark.testing.discovery.RegistryContract;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The ZooKeeper registry passes the shared contract against a real server. Its TTL is the session
 * timeout; "stop renewing" closes the registrant, whose session then ends and takes its ephemeral
 * nodes with it at once (a crashed process's would go after the session timeout).
 */
class ZooKeeperRegistryContractTest extends RegistryContract {
    private static TestZooKeeper zookeeper;

    @BeforeAll
    static void startServer() {
        zookeeper = TestZooKeeper.start();
    }

    @AfterAll
    static void stopServer() {
        zookeeper.close();
    }

    @Override
    protected ServiceRegistry connect() {
        return zookeeper.connect("/contract");
    }

    @Override
    protected Duration shortTtl() {
        return TestZooKeeper.SESSION;
    }
}
