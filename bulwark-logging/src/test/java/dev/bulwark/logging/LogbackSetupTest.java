package dev.bulwark.logging;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.LoggerContext;
import dev.bulwark.breaker.CircuitBreaker;
import dev.bulwark.config.BulwarkConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The ready Logback setup: JSON lines with the events' fields, levels, rotation with retention, no secret in any line. */
class LogbackSetupTest {
    private static final String SECRET = "pa55-w0rd-that-must-never-be-logged";

    @TempDir
    Path logs;

    @AfterEach
    void reset() {
        ((LoggerContext) LoggerFactory.getILoggerFactory()).reset();
    }

    private BulwarkConfig config(String extra) {
        return BulwarkConfig.loader().yaml("""
                logging:
                  file: %s
                  max-file-size: 4KiB
                  max-history: 3
                  total-size-cap: 64KiB
                  levels:
                    noisy.library: error
                registry:
                  type: etcd
                  endpoints: http://127.0.0.1:2379
                  username: app
                """.formatted(logs.resolve("app.log")) + extra, "app.yaml")
                .environment(Map.of("BULWARK_REGISTRY_PASSWORD", SECRET, "BULWARK_CONFIG_CENTER_PASSWORD", SECRET))
                .load();
    }

    private List<String> lines() throws IOException {
        return Files.readAllLines(logs.resolve("app.log"), StandardCharsets.UTF_8);
    }

    @Test
    void eventsAreJsonLinesWithTheirFieldsAndNoSecretIsWritten() throws IOException {
        BulwarkConfig config = config("");
        LogbackSetup.apply(config);
        LoggerFactory.getLogger("dev.bulwark.app").info("effective configuration:\n{}", config.describe());
        LoggerFactory.getLogger("dev.bulwark.app").info("registry {}", config.registry());
        System.getLogger("dev.bulwark.discovery").log(System.Logger.Level.WARNING, "registry connection lost; serving the last good list");
        LoggerFactory.getLogger("noisy.library").warn("below its level: dropped");
        CircuitBreaker users = EventLog.breakers(config.breakers()).get("grpc:user-service");
        users.forceOpen();

        List<String> lines = lines();
        assertThat(lines).allSatisfy(line -> assertThat(line).startsWith("{").endsWith("}"));
        assertThat(lines).anySatisfy(line -> assertThat(line).contains("\"level\":\"WARN\"")
                .contains("\"loggerName\":\"dev.bulwark.events.breaker\"")
                .contains("\"formattedMessage\":\"circuit breaker state changed\"")
                .contains("\"name\":\"grpc:user-service\"").contains("\"from\":\"CLOSED\"").contains("\"to\":\"FORCED_OPEN\""));
        assertThat(lines).as("System.Logger reaches the log").anySatisfy(line -> assertThat(line)
                .contains("\"loggerName\":\"dev.bulwark.discovery\"").contains("registry connection lost"));
        assertThat(lines).noneSatisfy(line -> assertThat(line).contains("below its level"));
        assertThat(String.join("\n", lines)).contains("registry.password = ******").doesNotContain(SECRET);
    }

    @Test
    void theFileRotatesBySizeAndKeepsWithinItsCap() throws IOException {
        LogbackSetup.apply(config(""));
        org.slf4j.Logger log = LoggerFactory.getLogger("dev.bulwark.app");
        String padding = "x".repeat(200);
        for (int i = 0; i < 2_000; i++) {
            log.info("line {} {}", i, padding);
        }
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            List<Path> rolled;
            try (Stream<Path> files = Files.list(logs)) {
                rolled = files.filter(f -> f.getFileName().toString().endsWith(".gz")).toList();
            }
            assertThat(rolled).as("rotated and compressed").hasSizeGreaterThan(5);
            long total = 0;
            for (Path f : rolled) {
                total += Files.size(f);
            }
            assertThat(total).as("within total-size-cap").isLessThanOrEqualTo(64 * 1024);
        });
        assertThat(Files.size(logs.resolve("app.log"))).as("the live file stays small").isLessThan(16 * 1024);
    }

    @Test
    void textFormatAndLevelsFromTheConfiguration() throws IOException {
        BulwarkConfig text = BulwarkConfig.loader().yaml("logging:\n  file: " + logs.resolve("app.log")
                + "\n  format: text\n  level: warn\n", "app.yaml").load();
        LogbackSetup.apply(text);
        LoggerFactory.getLogger("dev.bulwark.x").info("info from bulwark: dropped at warn");
        LoggerFactory.getLogger("dev.bulwark.x").atWarn().setMessage("warning from bulwark").addKeyValue("name", "n1").log();
        List<String> lines = lines();
        assertThat(lines).noneSatisfy(l -> assertThat(l).contains("dropped at warn"));
        assertThat(lines).anySatisfy(l -> assertThat(l).contains("WARN").contains("warning from bulwark").contains("name=\"n1\""));
    }
}
