package dev.bulwark.discovery.zookeeper;

import dev.bulwark.InvalidConfigException;
import dev.bulwark.discovery.RegistryConfig;
import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.api.ACLProvider;
import org.apache.curator.utils.ThreadUtils;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;
import org.apache.zookeeper.server.auth.DigestAuthenticationProvider;

/** Turns a {@link RegistryConfig} into an unstarted Curator client. */
final class CuratorClients {
    static final int DEFAULT_PORT = 2181;

    private CuratorClients() {
    }

    static CuratorFramework create(RegistryConfig config) {
        if (config.tls()) {
            // Needs a key and trust store setup we have no config fields for yet: refuse rather than connect in clear text.
            throw new InvalidConfigException("tls", true, "false: TLS to ZooKeeper is not supported by bulwark-discovery-zookeeper yet");
        }
        CuratorFrameworkFactory.Builder builder = CuratorFrameworkFactory.builder()
                .connectString(connectString(config.endpoints()))
                .sessionTimeoutMs(millis("session-timeout", config.sessionTimeout().toMillis()))
                .connectionTimeoutMs(millis("connect-timeout", config.connectTimeout().toMillis()))
                .retryPolicy(new BoundedBackoff(config.connectTimeout().toMillis()))
                .ensembleTracker(false) // keep the configured addresses; a server's view of itself may not be reachable from here
                .threadFactory(ThreadUtils.newThreadFactory("bulwark-zookeeper"));
        if (!config.username().isEmpty()) {
            String identity = config.username() + ":" + config.password();
            builder.authorization("digest", identity.getBytes(StandardCharsets.UTF_8)).aclProvider(ownerOnly(identity));
        }
        return builder.build();
    }

    /** {@code host:port,host:port}; a URL's scheme is dropped and a missing port is ZooKeeper's 2181. */
    static String connectString(List<String> endpoints) {
        List<String> hosts = new ArrayList<>();
        for (String endpoint : endpoints) {
            String address = endpoint;
            int scheme = address.indexOf("://");
            if (scheme >= 0) {
                address = address.substring(scheme + 3);
            }
            if (address.endsWith("/")) {
                address = address.substring(0, address.length() - 1);
            }
            if (address.isEmpty() || address.contains("/")) {
                throw new InvalidConfigException("endpoints", endpoint, "host:port of a ZooKeeper server (a root path goes in namespace)");
            }
            int colon = address.lastIndexOf(':');
            boolean hasPort = colon > address.lastIndexOf(']');
            if (hasPort) {
                String port = address.substring(colon + 1);
                if (!port.matches("[0-9]{1,5}") || Integer.parseInt(port) < 1 || Integer.parseInt(port) > 65_535) {
                    throw new InvalidConfigException("endpoints", endpoint, "host:port with a port in [1, 65535]");
                }
            }
            hosts.add(hasPort ? address : address + ":" + DEFAULT_PORT);
        }
        return String.join(",", hosts);
    }

    /** Every permission for the digest identity {@code user:password}, none for anybody else. */
    static ACLProvider ownerOnly(String identity) {
        List<ACL> acl;
        try {
            // Not List.of: ZooKeeper asks the list whether it contains null, which List.of answers with an exception.
            acl = Collections.singletonList(new ACL(ZooDefs.Perms.ALL, new Id("digest", DigestAuthenticationProvider.generateDigest(identity))));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JVM has no SHA1, which ZooKeeper's digest scheme needs", e);
        }
        return new ACLProvider() {
            @Override
            public List<ACL> getDefaultAcl() {
                return acl;
            }

            @Override
            public List<ACL> getAclForPath(String path) {
                return acl;
            }
        };
    }

    private static int millis(String field, long value) {
        if (value > Integer.MAX_VALUE) {
            throw new InvalidConfigException(field, value + "ms", "at most " + Integer.MAX_VALUE + " ms");
        }
        return (int) Math.max(1, value);
    }
}
