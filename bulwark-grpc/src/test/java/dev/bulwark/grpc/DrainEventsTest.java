package dev.bulwark.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.discovery.InMemoryRegistry;
import dev.bulwark.grpc.server.BulwarkServer;
import dev.bulwark.grpc.server.DrainReport;
import dev.bulwark.grpc.test.TestEchoService;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * Each step of a drain is an event under {@code dev.bulwark.events.server} (here through
 * {@code System.Logger} to java.util.logging, as without a logging binding): not serving,
 * deregistered, new calls refused, drained with the report's figures.
 */
class DrainEventsTest {
    @Test
    void everyDrainStepIsLoggedInOrder() throws Exception {
        List<String> lines = new CopyOnWriteArrayList<>();
        Logger events = Logger.getLogger("dev.bulwark.events.server");
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord record) {
                lines.add(record.getMessage());
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        events.addHandler(capture);
        InMemoryRegistry registry = InMemoryRegistry.create();
        try {
            BulwarkServer server = BulwarkServer.builder().bind("127.0.0.1", 0).service("echo", new TestEchoService("a"))
                    .registry(registry).drain(Duration.ZERO, Duration.ofSeconds(1)).build().start();
            assertThat(registry.list("echo")).hasSize(1);
            DrainReport report = server.drain();

            assertThat(lines).filteredOn(line -> line.startsWith("server draining")).containsExactly(
                    "server draining step=not serving",
                    "server draining step=deregistered instances=1 waiting=PT0S",
                    "server draining step=new calls refused in-flight=0 grace=PT1S",
                    "server draining step=drained took=" + report.took() + " in-flight=0 cancelled=0 deregistered=1 tasks-left=0");
            assertThat(registry.list("echo")).isEmpty();
        } finally {
            events.removeHandler(capture);
        }
    }
}
