package dev.bulwark.benchmarks.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchmarksReportTest {
    @TempDir
    Path dir;

    @Test
    void regeneratingKeepsTheDrillAndPicksSectionsAfterTheJmhTables() throws IOException {
        Path md = dir.resolve("BENCHMARKS.md");
        Files.writeString(md, """
                # Benchmarks

                old tables

                <!-- drill -->
                ## Stalled-backend drill
                <!-- /drill -->

                <!-- picks -->
                ## Balancer pick cost
                <!-- /picks -->
                """);
        Path notes = dir.resolve("NOTES.md");
        Files.writeString(notes, "## How to read these\n");
        Path json = dir.resolve("results.json");
        Files.writeString(json, """
                [{"benchmark": "dev.bulwark.benchmarks.BreakerSuccessBenchmark.call", "threads": 1,
                  "vmName": "OpenJDK", "jdkVersion": "17", "vmVersion": "17.0.15",
                  "params": {"library": "bulwark"},
                  "primaryMetric": {"score": 4.2, "scoreError": 0.1},
                  "secondaryMetrics": {"gc.alloc.rate.norm": {"score": 0.0}}},
                 {"benchmark": "dev.bulwark.benchmarks.BreakerSuccessBenchmark.call", "threads": 1,
                  "vmName": "OpenJDK", "jdkVersion": "17", "vmVersion": "17.0.15",
                  "params": {"library": "resilience4j"},
                  "primaryMetric": {"score": 8.4, "scoreError": 0.2},
                  "secondaryMetrics": {"gc.alloc.rate.norm": {"score": 0.0}}}]
                """);

        BenchmarksReport.main(new String[] {md.toString(), notes.toString(), "scripts/bench quick", "machine", json.toString()});

        String text = Files.readString(md);
        assertThat(text).doesNotContain("old tables")
                .contains("| **bulwark** | 4.2 ± 0.1 | ≈0 |")
                .contains("- ratio at 1 thread: bulwark 0.50× the best peer (resilience4j, 8.4 ns/op)");
        assertThat(text.indexOf("## 1. Breaker")).isLessThan(text.indexOf("<!-- drill -->"));
        assertThat(text.indexOf("<!-- /drill -->")).isLessThan(text.indexOf("<!-- picks -->"));
        assertThat(text).endsWith("## Balancer pick cost\n<!-- /picks -->\n");
    }
}
