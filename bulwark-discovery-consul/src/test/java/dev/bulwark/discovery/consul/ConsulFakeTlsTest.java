package dev.bulwark.discovery.consul;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.discovery.RegistryException;
import dev.bulwark.discovery.ServiceInstance;
import dev.bulwark.testing.VirtualScheduler;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * TLS to the in-process TEST FAKE of Consul served over HTTPS, with a self-signed certificate for
 * 127.0.0.1 that the JDK's {@code keytool} makes for the test: trusted through
 * {@code option.tls-ca-file}, refused without it.
 */
class ConsulFakeTlsTest {
    private static final char[] PASSWORD = "changeit".toCharArray();
    @TempDir
    static Path dir;
    private static FakeConsul fake;
    private static Path caFile;
    private static final VirtualScheduler SCHEDULER = new VirtualScheduler();

    @BeforeAll
    static void startHttpsFake() throws Exception {
        Path store = dir.resolve("fake-consul.p12");
        caFile = dir.resolve("ca.pem");
        keytool("-genkeypair", "-alias", "fake-consul", "-keyalg", "EC", "-groupname", "secp256r1", "-validity", "2",
                "-dname", "CN=fake-consul", "-ext", "SAN=ip:127.0.0.1", "-keystore", store.toString(), "-storetype", "PKCS12",
                "-storepass", new String(PASSWORD), "-keypass", new String(PASSWORD));
        keytool("-exportcert", "-rfc", "-alias", "fake-consul", "-keystore", store.toString(), "-storetype", "PKCS12",
                "-storepass", new String(PASSWORD), "-file", caFile.toString());
        KeyStore keys = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(store)) {
            keys.load(in, PASSWORD);
        }
        KeyManagerFactory managers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        managers.init(keys, PASSWORD);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(managers.getKeyManagers(), null, null);
        fake = FakeConsul.withTls(SCHEDULER, tls);
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        List<String> command = new java.util.ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        assertThat(process.waitFor()).as("keytool %s: %s", args[0], output).isZero();
    }

    @AfterAll
    static void stopFake() {
        fake.close();
    }

    @Test
    void fakeOverHttpsIsReachedWhenItsCaIsTrusted() {
        try (ConsulRegistry registry = ConsulRegistry.connect(Fakes.config(fake)
                .option(ConsulSettings.TLS_CA_FILE, caFile.toString()).build(), SCHEDULER, Runnable::run)) {
            String service = Fakes.uniqueService();
            ServiceInstance a = Fakes.instance(service, 9001);
            registry.register(a);
            assertThat(registry.list(service)).containsExactly(a);
            assertThat(registry.agent()).startsWith("https://");
        }
    }

    @Test
    void fakeOverHttpsIsRefusedWithoutItsCa() {
        try (ConsulRegistry registry = ConsulRegistry.connect(Fakes.config(fake).build(), SCHEDULER, Runnable::run)) {
            assertThatThrownBy(() -> registry.list(Fakes.uniqueService())).isInstanceOf(RegistryException.class)
                    .hasMessageContaining("could not be reached").hasMessageContaining("certification path");
        }
    }
}
