package dev.bulwark.discovery.etcd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.discovery.RegistryConfig;
import dev.bulwark.discovery.RegistryException;
import dev.bulwark.discovery.ServiceInstance;
import dev.bulwark.testing.tls.TestCertificates;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * etcd serving clients over TLS and requiring a client certificate: the registry trusts the CA
 * named by {@code option.tls-ca-file} and presents {@code option.tls-cert-file} /
 * {@code option.tls-key-file}.
 */
class EtcdTlsTest {
    private static final TestCertificates CERTS = certificates();

    @RegisterExtension
    static final EtcdServer ETCD = EtcdServer.create("tls").tls(CERTS);

    private static TestCertificates certificates() {
        try {
            return TestCertificates.create(Files.createTempDirectory(EtcdServer.targetDir(), "etcd-tls-"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static RegistryConfig.Builder config() {
        return RegistryConfig.builder(RegistryConfig.ETCD)
                .endpoints(ETCD.endpoint().replace("https://", "")) // host:port, made https by tls(true)
                .tls(true)
                .connectTimeout(Duration.ofSeconds(2));
    }

    @Test
    void aClientTrustingTheCaAndPresentingItsCertificateRegistersAndReads() {
        ServiceInstance a = ServiceInstance.builder("users", "127.0.0.1", 8443).protocol("https").registeredAt(Instant.EPOCH).build();
        try (EtcdRegistry registry = EtcdRegistry.connect(config()
                .option("tls-ca-file", CERTS.caCert().toString())
                .option("tls-cert-file", CERTS.clientCert().toString())
                .option("tls-key-file", CERTS.clientKey().toString())
                .build())) {
            registry.register(a);
            assertThat(registry.list("users")).containsExactly(a);
        }
    }

    @Test
    void withoutTheCaOrWithoutAClientCertificateTheConnectionFails() {
        try (EtcdRegistry untrusting = EtcdRegistry.connect(config()
                .option("tls-cert-file", CERTS.clientCert().toString())
                .option("tls-key-file", CERTS.clientKey().toString())
                .build())) {
            assertThatThrownBy(() -> untrusting.list("users")).isInstanceOf(RegistryException.class)
                    .hasMessageContaining("list users").hasMessageContaining("unable to find valid certification path");
        }
        try (EtcdRegistry anonymous = EtcdRegistry.connect(config().option("tls-ca-file", CERTS.caCert().toString()).build())) {
            assertThatThrownBy(() -> anonymous.list("users")).isInstanceOf(RegistryException.class)
                    .hasMessageContaining("list users").hasMessageContaining("SSLHandshakeException");
        }
    }
}
