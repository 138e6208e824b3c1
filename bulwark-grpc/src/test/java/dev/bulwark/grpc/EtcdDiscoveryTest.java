package dev.bulwark.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bulwark.discovery.ServiceDiscovery;
import dev.bulwark.discovery.etcd.EtcdRegistry;
import dev.bulwark.discovery.etcd.EtcdServer;
import dev.bulwark.grpc.client.BulwarkChannel;
import dev.bulwark.grpc.test.EchoGrpc;
import dev.bulwark.grpc.test.EchoLoad;
import dev.bulwark.grpc.test.EchoRequest;
import dev.bulwark.grpc.test.EchoServers;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The same framework on a real etcd (Debian's, started by the test on loopback): servers register
 * with a lease, a channel discovers them through etcd's watch, and a server that drains leaves the
 * channel with no failed call. Also shows that jetcd runs on the grpc-java the build manages.
 */
class EtcdDiscoveryTest {
    @RegisterExtension
    static final EtcdServer ETCD = EtcdServer.create("grpc-discovery");

    @Test
    void serversRegisteredInEtcdAreCalledAndLeaveCleanly() throws Exception {
        try (EtcdRegistry registry = EtcdRegistry.connect(ETCD.config().build());
                EchoServers servers = new EchoServers(registry, "etcd-echo");
                ServiceDiscovery discovery = ServiceDiscovery.builder(registry).build()) {
            servers.start("one", b -> b.instance(i -> i.ttl(Duration.ofSeconds(10))).drain(Duration.ofMillis(500), Duration.ofSeconds(5)));
            servers.start("two", b -> b.instance(i -> i.ttl(Duration.ofSeconds(10))));
            BulwarkChannel channel = BulwarkChannel.builder("etcd-echo", discovery).build();
            await().atMost(Duration.ofSeconds(10)).until(() -> channel.endpoints().size() == 2);

            EchoLoad load = EchoLoad.start(channel, 2, EchoRequest.newBuilder().setMessage("m").build(), 2000);
            await().atMost(Duration.ofSeconds(10)).until(() -> load.answeredBy("one") > 20 && load.answeredBy("two") > 20);
            servers.server("one").drain();
            long two = load.answeredBy("two");
            await().atMost(Duration.ofSeconds(10)).until(() -> load.answeredBy("two") > two + 50);
            load.close();

            assertThat(load.failures()).isEmpty();
            assertThat(registry.list("etcd-echo")).hasSize(1);
            assertThat(channel.endpoints()).hasSize(1);
            assertThat(EchoGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS)
                    .unary(EchoRequest.newBuilder().build()).getServer()).isEqualTo("two");
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }
}
