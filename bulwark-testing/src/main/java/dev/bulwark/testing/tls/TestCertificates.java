package dev.bulwark.testing.tls;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Key;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A throwaway CA with a server certificate for 127.0.0.1 and a client certificate, as PEM files,
 * made with the JDK's own {@code keytool} (so the TLS test needs nothing installed beyond a JDK).
 * Keys are EC P-256, written as PKCS#8 PEM, which etcd, Netty and grpc-java read. For tests only:
 * certificates live two days.
 */
public record TestCertificates(Path caCert, Path serverCert, Path serverKey, Path clientCert, Path clientKey) {
    private static final String PASS = "changeit";

    /** Makes the CA, the server certificate (127.0.0.1 and localhost) and the client certificate in {@code dir}. */
    public static TestCertificates create(Path dir) throws IOException {
        Files.createDirectories(dir);
        keytool(dir, "-genkeypair", "-alias", "ca", "-dname", "CN=bulwark-test-ca", "-keyalg", "EC", "-groupname", "secp256r1",
                "-validity", "2", "-ext", "bc:c", "-keystore", "ca.p12", "-storetype", "PKCS12", "-storepass", PASS);
        keytool(dir, "-exportcert", "-alias", "ca", "-rfc", "-keystore", "ca.p12", "-storepass", PASS, "-file", "ca.pem");
        Path server = signed(dir, "server", "CN=127.0.0.1", "san=ip:127.0.0.1,dns:localhost", "eku=serverAuth,clientAuth");
        Path client = signed(dir, "client", "CN=bulwark-test-client", "san=dns:bulwark-test-client", "eku=clientAuth");
        return new TestCertificates(dir.resolve("ca.pem"), server, key(dir, "server"), client, key(dir, "client"));
    }

    private static Path signed(Path dir, String name, String dname, String san, String eku) throws IOException {
        String store = name + ".p12";
        keytool(dir, "-genkeypair", "-alias", name, "-dname", dname, "-keyalg", "EC", "-groupname", "secp256r1",
                "-validity", "2", "-keystore", store, "-storetype", "PKCS12", "-storepass", PASS);
        keytool(dir, "-certreq", "-alias", name, "-keystore", store, "-storepass", PASS, "-file", name + ".csr");
        keytool(dir, "-gencert", "-alias", "ca", "-keystore", "ca.p12", "-storepass", PASS, "-infile", name + ".csr",
                "-outfile", name + ".pem", "-rfc", "-validity", "2", "-ext", san, "-ext", eku);
        return dir.resolve(name + ".pem");
    }

    /** The private key in {@code <name>.p12}, written as PKCS#8 PEM to {@code <name>-key.pem}. */
    private static Path key(Path dir, String name) throws IOException {
        try (InputStream in = Files.newInputStream(dir.resolve(name + ".p12"))) {
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(in, PASS.toCharArray());
            Key key = store.getKey(name, PASS.toCharArray());
            String pem = "-----BEGIN PRIVATE KEY-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(key.getEncoded())
                    + "\n-----END PRIVATE KEY-----\n";
            Path out = dir.resolve(name + "-key.pem");
            Files.writeString(out, pem, StandardCharsets.US_ASCII);
            return out;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot read the key keytool made in " + name + ".p12", e);
        }
    }

    private static void keytool(Path dir, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IOException("keytool " + args[0] + " took over 60 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted running keytool", e);
        }
        if (process.exitValue() != 0) {
            throw new IOException("keytool " + String.join(" ", args) + " failed: "
                    + new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    /** A server-side TLS context presenting the server certificate (for the JDK's HTTPS server, say). */
    public javax.net.ssl.SSLContext serverContext() throws IOException {
        try (InputStream in = Files.newInputStream(serverCert.resolveSibling("server.p12"));
                InputStream signed = Files.newInputStream(serverCert);
                InputStream ca = Files.newInputStream(caCert)) {
            KeyStore generated = KeyStore.getInstance("PKCS12");
            generated.load(in, PASS.toCharArray());
            // keytool left the self-signed certificate in server.p12: present the CA-signed one and the CA.
            java.security.cert.CertificateFactory x509 = java.security.cert.CertificateFactory.getInstance("X.509");
            java.security.cert.Certificate[] chain = {x509.generateCertificate(signed), x509.generateCertificate(ca)};
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            store.setKeyEntry("server", generated.getKey("server", PASS.toCharArray()), PASS.toCharArray(), chain);
            javax.net.ssl.KeyManagerFactory keys = javax.net.ssl.KeyManagerFactory.getInstance(
                    javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, PASS.toCharArray());
            javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot make a TLS context of server.p12", e);
        }
    }

    /** A client-side TLS context trusting the test CA only. */
    public javax.net.ssl.SSLContext trustingContext() throws IOException {
        try (InputStream in = Files.newInputStream(caCert)) {
            java.security.cert.Certificate ca = java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in);
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            trust.setCertificateEntry("ca", ca);
            javax.net.ssl.TrustManagerFactory trustManagers = javax.net.ssl.TrustManagerFactory.getInstance(
                    javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
            trustManagers.init(trust);
            javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
            context.init(null, trustManagers.getTrustManagers(), null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot make a TLS context trusting " + caCert, e);
        }
    }
}
