package dev.bulwark.discovery.nacos;

import dev.bulwark.discovery.ServiceRegistry;
import dev.bulwark.testing.discovery.RegistryContract;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * The Nacos registry passes the shared contract against a real Nacos server, named by
 * {@code NACOS_ADDR} (see {@link TestNacos}); without it the class is reported skipped. Each
 * client is its own nacos-client connection; "stop renewing" closes the registrant, whose
 * connection then ends and takes its ephemeral instances with it.
 */
@EnabledIfEnvironmentVariable(named = "NACOS_ADDR", matches = ".+", disabledReason = TestNacos.SKIPPED)
class NacosContractTest extends RegistryContract {

    @Override
    protected ServiceRegistry connect() {
        return TestNacos.connect();
    }
}
