package dev.bulwark.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.bulwark.discovery.health.HealthChecks;
import dev.bulwark.discovery.health.HealthMonitor;
import dev.bulwark.testing.VirtualScheduler;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class HealthMonitorTest {
    private final VirtualScheduler scheduler = new VirtualScheduler();

    private static ServiceInstance at(int port) {
        return ServiceInstance.builder("users", "127.0.0.1", port).build();
    }

    @Test
    void thresholdsDecideWhenAnInstanceLeavesAndReturns() {
        AtomicInteger healthy = new AtomicInteger(1);
        HealthMonitor monitor = HealthMonitor.builder(instance -> {
            if (healthy.get() == 0) {
                throw new IOException("connection refused");
            }
        }).interval(Duration.ofSeconds(5)).unhealthyAfter(3).healthyAfter(2)
                .scheduler(scheduler).executor(Runnable::run).build();
        ServiceInstance a = at(1);
        monitor.track("users", List.of(a));
        scheduler.runDue();
        assertThat(monitor.isServing(a)).isTrue();

        healthy.set(0);
        scheduler.advance(Duration.ofSeconds(10)); // two failed checks
        assertThat(monitor.isServing(a)).as("below the threshold").isTrue();
        scheduler.advance(Duration.ofSeconds(5)); // the third
        assertThat(monitor.isServing(a)).isFalse();
        assertThat(monitor.lastFailure(a)).contains("connection refused");

        healthy.set(1);
        scheduler.advance(Duration.ofSeconds(5));
        assertThat(monitor.isServing(a)).as("one pass is not enough").isFalse();
        scheduler.advance(Duration.ofSeconds(5));
        assertThat(monitor.isServing(a)).isTrue();
        monitor.close();
    }

    @Test
    void instancesNoLongerTrackedStopBeingChecked() {
        AtomicInteger checks = new AtomicInteger();
        HealthMonitor monitor = HealthMonitor.builder(instance -> checks.incrementAndGet())
                .interval(Duration.ofSeconds(1)).scheduler(scheduler).executor(Runnable::run).build();
        monitor.track("users", List.of(at(1), at(2)));
        scheduler.advance(Duration.ofMillis(500));
        assertThat(checks).hasValue(2);
        monitor.track("users", List.of(at(2)));
        scheduler.advance(Duration.ofSeconds(3));
        assertThat(checks).hasValue(5);
        assertThat(scheduler.pendingTasks()).isEqualTo(1);
        monitor.close();
    }

    @Test
    void theHttpCheckWantsA2xxFromTheHealthPath() throws Exception {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        AtomicInteger status = new AtomicInteger(200);
        server.createContext("/health", exchange -> {
            exchange.sendResponseHeaders(status.get(), -1);
            exchange.close();
        });
        server.start();
        try {
            ServiceInstance instance = at(server.getAddress().getPort());
            var check = HealthChecks.http("/health", Duration.ofSeconds(5));
            check.check(instance);
            status.set(503);
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> check.check(instance)).hasMessageContaining("503");
        } finally {
            server.stop(0);
        }
    }

    @Test
    void theTcpCheckWantsAConnection() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
            HealthChecks.tcp(Duration.ofSeconds(5)).check(at(port));
        }
        int closedPort = port;
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> HealthChecks.tcp(Duration.ofSeconds(5)).check(at(closedPort)))
                .isInstanceOf(IOException.class);
    }

    @Test
    void realChecksOnTheMonitorsOwnThreadsTakeADeadInstanceOut() throws Exception {
        ServerSocket live = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        ServiceInstance instance = at(live.getLocalPort());
        HealthMonitor monitor = HealthMonitor.builder(HealthChecks.tcp(Duration.ofSeconds(1)))
                .interval(Duration.ofMillis(50)).unhealthyAfter(2).build();
        monitor.track("users", List.of(instance));
        live.close();
        await().atMost(Duration.ofSeconds(20)).until(() -> !monitor.isServing(instance));
        monitor.close();
    }
}
