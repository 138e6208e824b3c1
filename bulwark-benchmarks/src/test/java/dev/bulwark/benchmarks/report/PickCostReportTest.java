package dev.bulwark.benchmarks.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PickCostReportTest {
    @TempDir
    Path dir;

    private static String run(String benchmark, String params, double score, double alloc) {
        return """
                {"benchmark": "dev.bulwark.benchmarks.%s", "threads": 1, "vmName": "OpenJDK", "jdkVersion": "17", "vmVersion": "17.0.15",
                 "params": {%s},
                 "primaryMetric": {"score": %s, "scoreError": 0.5},
                 "secondaryMetrics": {"gc.alloc.rate.norm": {"score": %s}}}
                """.formatted(benchmark, params, score, alloc);
    }

    private Path results(String... runs) throws IOException {
        Path file = dir.resolve("picks.json");
        Files.writeString(file, "[" + String.join(",", runs) + "]");
        return file;
    }

    @Test
    void tabulatesStrategiesBySizeWithTheGrowthRatio() throws IOException {
        Path json = results(
                run("PickCostBenchmark.pick", "\"strategy\": \"ROUND_ROBIN\", \"size\": \"10\"", 5.0, 0.0),
                run("PickCostBenchmark.pick", "\"strategy\": \"ROUND_ROBIN\", \"size\": \"10000\"", 8.0, 0.0),
                run("PickCostBenchmark.pick", "\"strategy\": \"PEAK_EWMA\", \"size\": \"10\"", 30.0, 0.0),
                run("PickCostBenchmark.pick", "\"strategy\": \"PEAK_EWMA\", \"size\": \"10000\"", 90.0, 16.0),
                run("BreakerSuccessBenchmark.call", "\"library\": \"bulwark\"", 4.0, 0.0));

        String md = PickCostReport.render(BenchmarksReport.read(List.of(json)), "scripts/bench picks", "a machine");

        assertThat(md).startsWith("## Balancer pick cost")
                .contains("| strategy | ns/op 10 | B/op 10 | ns/op 10 000 | B/op 10 000 | 10 000 / 10 |")
                .contains("| ROUND_ROBIN | 5.0 ± 0.5 | ≈0 | 8.0 ± 0.5 | ≈0 | 1.60 × ✓ |")
                .contains("| PEAK_EWMA | 30.0 ± 0.5 | ≈0 | 90.0 ± 0.5 | 16 | 3.00 × ✗ |")
                .contains("Over 2 × from 10 to 10 000 endpoints: PEAK_EWMA.")
                .contains("- JVM: OpenJDK 17 (17.0.15)")
                .doesNotContain("bulwark |");
    }

    @Test
    void writesOnlyItsBlockOfTheFile() throws IOException {
        Path md = dir.resolve("BENCHMARKS.md");
        Files.writeString(md, "# Benchmarks\n\n<!-- drill -->\nkept\n<!-- /drill -->\n");
        Path json = results(run("PickCostBenchmark.pick", "\"strategy\": \"RANDOM\", \"size\": \"10\"", 6.0, 0.0));

        PickCostReport.main(new String[] {md.toString(), "cmd", "machine", json.toString()});

        String text = Files.readString(md);
        assertThat(text).startsWith("# Benchmarks\n\n<!-- drill -->\nkept\n<!-- /drill -->\n\n<!-- picks -->\n## Balancer pick cost")
                .endsWith("<!-- /picks -->\n");
    }
}
