package dev.bulwark.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bulwark.discovery.InMemoryRegistry;
import dev.bulwark.discovery.ServiceDiscovery;
import dev.bulwark.grpc.client.BulwarkChannel;
import dev.bulwark.grpc.client.EndpointStatus;
import dev.bulwark.grpc.test.EchoLoad;
import dev.bulwark.grpc.test.EchoRequest;
import dev.bulwark.grpc.test.EchoServers;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The connection pool: a server that allows two concurrent calls per connection caps a single
 * connection's throughput; the channel opens more connections to it (up to its bound) while every
 * connection carries its share, and closes the extra ones once they idle.
 */
class ConnectionPoolTest {

    @Test
    void moreConnectionsOpenUnderLoadAndTheExtraOnesCloseWhenIdle() throws Exception {
        InMemoryRegistry registry = InMemoryRegistry.create();
        try (EchoServers servers = new EchoServers(registry, "echo");
                ServiceDiscovery discovery = ServiceDiscovery.builder(registry).build()) {
            servers.start("capped", b -> b.configure(netty -> netty.maxConcurrentCallsPerConnection(2)));
            BulwarkChannel channel = BulwarkChannel.builder("echo", discovery)
                    .connectionPool(3, 2, Duration.ofMillis(300)).build();
            await().atMost(Duration.ofSeconds(5)).until(() -> channel.endpoints().size() == 1);

            EchoLoad load = EchoLoad.start(channel, 6, EchoRequest.newBuilder().setDelayMs(50).build(), 5000);
            await().atMost(Duration.ofSeconds(10)).until(() -> endpoint(channel).connections() == 3);
            long before = load.calls();
            await().atMost(Duration.ofSeconds(10)).until(() -> load.calls() > before + 60);
            load.close();
            assertThat(load.failures()).isEmpty();
            assertThat(endpoint(channel).connections()).as("bounded").isEqualTo(3);

            await().atMost(Duration.ofSeconds(10)).until(() -> endpoint(channel).connections() == 1);
            assertThat(endpoint(channel).inFlight()).isZero();
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    private static EndpointStatus endpoint(BulwarkChannel channel) {
        return channel.endpoints().get(0);
    }
}
