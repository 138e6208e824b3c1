package dev.bulwark.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.bulwark.InvalidConfigException;
import dev.bulwark.grpc.server.BulwarkServer;
import dev.bulwark.grpc.server.DrainReport;
import dev.bulwark.grpc.server.TaskHandlers;
import dev.bulwark.grpc.test.TestEchoService;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Background task handlers: counted by type, refused when full or draining, drained with the server losing nothing. */
class TaskHandlersTest {

    @Test
    void aFullQueueAnUnknownTypeAndADrainingPoolRefuseAtOnce() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        TaskHandlers tasks = TaskHandlers.builder("mail").workers(1).queueSize(1)
                .handler("email", (String to) -> release.await())
                .handler("sms", (String to) -> {
                    throw new IllegalStateException("no gateway");
                })
                .build();
        tasks.submit("email", "a@example.com");
        await().atMost(Duration.ofSeconds(5)).until(() -> tasks.counts().get("email").queued() == 0); // running
        tasks.submit("email", "b@example.com");
        assertThatThrownBy(() -> tasks.submit("email", "c@example.com"))
                .isInstanceOfSatisfying(TaskHandlers.TaskRejectedException.class, e -> {
                    assertThat(e.type()).isEqualTo("email");
                    assertThat(e.getMessage()).contains("queue full");
                });
        assertThatThrownBy(() -> tasks.submit("fax", "x")).isInstanceOf(TaskHandlers.TaskRejectedException.class)
                .hasMessageContaining("no handler").hasMessageContaining("[email, sms]");
        release.countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> tasks.counts().get("email").done() == 2);
        assertThatThrownBy(() -> tasks.submit("sms", "+1").get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(IllegalStateException.class);
        assertThat(tasks.counts()).containsEntry("email", new TaskHandlers.Counts(2, 2, 0, 1, 0))
                .containsEntry("sms", new TaskHandlers.Counts(1, 0, 1, 0, 0));
        assertThat(tasks.drain(Duration.ofSeconds(5))).isTrue();
        assertThatThrownBy(() -> tasks.submit("email", "late")).hasMessageContaining("draining");
    }

    @Test
    void theServersDrainLetsEveryAcceptedTaskFinish() {
        List<Integer> handled = new CopyOnWriteArrayList<>();
        TaskHandlers tasks = TaskHandlers.builder("jobs").workers(2).queueSize(100)
                .handler("job", (Integer n) -> {
                    Thread.sleep(5);
                    handled.add(n);
                }).build();
        BulwarkServer server = BulwarkServer.builder().bind("127.0.0.1", 0).service(new TestEchoService("t")).tasks(tasks)
                .drain(Duration.ZERO, Duration.ofSeconds(10)).build().start();
        for (int i = 0; i < 60; i++) {
            tasks.submit("job", i);
        }
        DrainReport report = server.drain();
        assertThat(handled).as("no accepted task lost").hasSize(60);
        assertThat(report.tasksUnfinished()).isZero();
        assertThatThrownBy(() -> tasks.submit("job", 61)).isInstanceOf(TaskHandlers.TaskRejectedException.class);
    }

    @Test
    void badSettingsFailNamingTheField() {
        assertThatThrownBy(() -> TaskHandlers.builder("t").build())
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.field()).isEqualTo("handlers"));
        assertThatThrownBy(() -> TaskHandlers.builder("t").workers(0))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.field()).isEqualTo("workers"));
        assertThatThrownBy(() -> TaskHandlers.builder("t").handler("a", x -> { }).handler("a", x -> { }))
                .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.field()).isEqualTo("handler.type"));
    }
}
