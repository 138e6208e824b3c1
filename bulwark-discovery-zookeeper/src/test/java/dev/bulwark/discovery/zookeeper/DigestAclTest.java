package dev.bulwark.discovery.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.discovery.RegistryException;
import dev.bulwark.discovery.ServiceInstance;
import java.util.List;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** With credentials, nodes belong to that digest identity alone: other clients can neither read nor change them. */
class DigestAclTest {
    private static final String NAMESPACE = "/secured";
    private static TestZooKeeper zookeeper;

    @BeforeAll
    static void startServer() {
        zookeeper = TestZooKeeper.start();
    }

    @AfterAll
    static void stopServer() {
        zookeeper.close();
    }

    private static ServiceInstance instance(String service, int port) {
        return ServiceInstance.builder(service, "127.0.0.1", port).build();
    }

    @Test
    void onlyTheOwningIdentityCanReadOrChangeTheNodes() throws Exception {
        String service = ZooKeeperRegistryTest.uniqueService();
        try (ZooKeeperRegistry owner = ZooKeeperRegistry.connect(zookeeper.config(NAMESPACE).credentials("svc", "s3cret").build());
                ZooKeeperRegistry sameIdentity = ZooKeeperRegistry.connect(zookeeper.config(NAMESPACE).credentials("svc", "s3cret").build());
                ZooKeeperRegistry anonymous = zookeeper.connect(NAMESPACE);
                ZooKeeperRegistry intruder = ZooKeeperRegistry.connect(zookeeper.config(NAMESPACE).credentials("svc", "guess").build())) {
            ServiceInstance a = instance(service, 9001);
            owner.register(a);

            List<ACL> acl = owner.curator().getACL().forPath(NAMESPACE + "/" + service + "/" + a.id());
            assertThat(acl).singleElement().satisfies(entry -> {
                assertThat(entry.getId().getScheme()).isEqualTo("digest");
                assertThat(entry.getId().getId()).startsWith("svc:");
                assertThat(entry.getPerms()).isEqualTo(ZooDefs.Perms.ALL);
            });
            assertThat(sameIdentity.list(service)).containsExactly(a);

            for (ZooKeeperRegistry other : List.of(anonymous, intruder)) {
                assertThatThrownBy(() -> other.list(service)).isInstanceOf(RegistryException.class).hasMessageContaining("NoAuth");
                assertThatThrownBy(() -> other.get(service, a.id())).isInstanceOf(RegistryException.class).hasMessageContaining("NoAuth");
                assertThatThrownBy(() -> other.update(a)).isInstanceOf(RegistryException.class).hasMessageContaining("NoAuth");
                assertThatThrownBy(() -> other.deregister(service, a.id())).isInstanceOf(RegistryException.class).hasMessageContaining("NoAuth");
                assertThatThrownBy(() -> other.register(instance(service, 9002))).isInstanceOf(RegistryException.class).hasMessageContaining("NoAuth");
                assertThatThrownBy(() -> other.watch(service, e -> { })).isInstanceOf(RegistryException.class).hasMessageContaining("NoAuth");
            }
            assertThat(owner.list(service)).as("nothing changed").containsExactly(a);
        }
    }
}
