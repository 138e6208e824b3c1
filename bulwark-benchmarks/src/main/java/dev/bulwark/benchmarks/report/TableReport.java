package dev.bulwark.benchmarks.report;

import dev.bulwark.benchmarks.report.BenchmarksReport.Results;
import dev.bulwark.benchmarks.report.BenchmarksReport.Run;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Turns a one-thread benchmark whose variants are its {@code stack} parameter into a section of
 * BENCHMARKS.md: ns/op and B/op of each variant. Sections: {@code guard} (the gRPC server's
 * protection, {@code ServerGuardBenchmark}) and {@code trace} (tracing, {@code TracingBenchmark}).
 *
 * <p>Usage: {@code TableReport <BENCHMARKS.md> guard|trace <command> <machine> <results.json>}.
 */
public final class TableReport {
    /** What one section shows. */
    private record Section(String benchmark, String title, String intro) {
    }

    private static final java.util.Map<String, Section> SECTIONS = java.util.Map.of(
            "guard", new Section("ServerGuardBenchmark", "gRPC server protection, per call",
                    "One call through the server's interceptor (rate limits overall, per method and per key; concurrency caps\n"
                    + "server-wide and per method; counters; with `+deadline`, the deadline cap) and its completion, without\n"
                    + "the network, beside the bare handler; one thread, `-prof gc`.\n"),
            "trace", new Section("TracingBenchmark", "Tracing, per call",
                    "A pipeline call with the call and attempt span stages (`bulwark-opentelemetry`): sampled; unsampled inside\n"
                    + "a trace its root did not sample (`unsampled-parent`: no span, nothing recorded); unsampled at a trace's\n"
                    + "root (`unsampled-root`: the SDK still makes the ids that go downstream); beside the same call untraced\n"
                    + "and one bare OpenTelemetry span started and ended; spans go to an exporter that drops them; one thread,\n"
                    + "`-prof gc`.\n"));

    private TableReport() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 5 || !SECTIONS.containsKey(args[1])) {
            System.err.println("usage: TableReport <BENCHMARKS.md> guard|trace <command> <machine> <results.json>");
            System.exit(2);
        }
        Section section = SECTIONS.get(args[1]);
        Results results = BenchmarksReport.read(List.of(Path.of(args[4])));
        StringBuilder md = new StringBuilder("## ").append(section.title()).append("\n\n").append(section.intro()).append('\n');
        md.append("- Command: `").append(args[2]).append("`\n- Machine: ").append(args[3]).append("\n- JVM: ").append(results.jvm())
                .append("\n\n| stack | ns/op | B/op |\n|---|---:|---:|\n");
        for (Run run : results.runs()) {
            if (run.className().equals(section.benchmark())) {
                md.append(String.format(Locale.ROOT, "| %s | %s | %s |%n", run.param("stack"),
                        BenchmarksReport.ns(run.nsPerOp(), run.nsError()), BenchmarksReport.bytes(run.bytesPerOp())));
            }
        }
        MarkdownBlocks.write(Path.of(args[0]), args[1], md.toString());
    }
}
