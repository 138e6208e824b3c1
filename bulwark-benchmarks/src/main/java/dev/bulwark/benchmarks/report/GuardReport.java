package dev.bulwark.benchmarks.report;

import dev.bulwark.benchmarks.report.BenchmarksReport.Results;
import dev.bulwark.benchmarks.report.BenchmarksReport.Run;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Turns {@code ServerGuardBenchmark}'s results into the guard section of BENCHMARKS.md: ns/op and
 * B/op of a call through the gRPC server's protection beside the bare handler.
 *
 * <p>Usage: {@code GuardReport <BENCHMARKS.md> <command> <machine> <results.json>}.
 */
public final class GuardReport {
    private GuardReport() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 4) {
            System.err.println("usage: GuardReport <BENCHMARKS.md> <command> <machine> <results.json>");
            System.exit(2);
        }
        Results results = BenchmarksReport.read(List.of(Path.of(args[3])));
        StringBuilder md = new StringBuilder("## gRPC server protection, per call\n\n");
        md.append("One call through the server's interceptor (rate limits overall, per method and per key; concurrency caps\n")
                .append("server-wide and per method; counters; with `+deadline`, the deadline cap) and its completion, without\n")
                .append("the network, beside the bare handler; one thread, `-prof gc`.\n\n");
        md.append("- Command: `").append(args[1]).append("`\n- Machine: ").append(args[2]).append("\n- JVM: ").append(results.jvm())
                .append("\n\n| stack | ns/op | B/op |\n|---|---:|---:|\n");
        for (Run run : results.runs()) {
            if (run.className().equals("ServerGuardBenchmark")) {
                md.append(String.format(Locale.ROOT, "| %s | %s | %s |%n", run.param("stack"),
                        BenchmarksReport.ns(run.nsPerOp(), run.nsError()), BenchmarksReport.bytes(run.bytesPerOp())));
            }
        }
        MarkdownBlocks.write(Path.of(args[0]), "guard", md.toString());
    }
}
