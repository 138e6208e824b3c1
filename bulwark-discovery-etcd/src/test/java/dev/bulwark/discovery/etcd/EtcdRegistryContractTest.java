package dev.bulwark.discovery.etcd;

import dev.bulwark.discovery.ServiceRegistry;
import dev.bulwark.testing.discovery.RegistryContract;
import java.time.Duration;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * etcd passes the shared registry contract: every {@link #connect()} is a new client of one real
 * etcd server, and a registrant stops renewing its leases by closing (its leases then expire
 * after their TTL, 2 s here).
 */
class EtcdRegistryContractTest extends RegistryContract {
    @RegisterExtension
    static final EtcdServer ETCD = EtcdServer.create("contract");

    @Override
    protected ServiceRegistry connect() {
        return EtcdRegistry.connect(ETCD.config().build());
    }

    @Override
    protected Duration shortTtl() {
        return Duration.ofSeconds(2);
    }
}
