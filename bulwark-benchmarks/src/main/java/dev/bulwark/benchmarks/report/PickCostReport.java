package dev.bulwark.benchmarks.report;

import dev.bulwark.benchmarks.report.BenchmarksReport.Results;
import dev.bulwark.benchmarks.report.BenchmarksReport.Run;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns {@code PickCostBenchmark}'s JMH results into the pick-cost section of BENCHMARKS.md: ns/op
 * and B/op of each strategy at each endpoint count, and how much dearer the largest set is than
 * the smallest (goal: at most 2 ×).
 *
 * <p>Usage: {@code PickCostReport <BENCHMARKS.md> <command> <machine> <results.json>...}; writes
 * block {@code picks} of the file (see {@link MarkdownBlocks}).
 */
public final class PickCostReport {
    static final String BENCHMARK = "PickCostBenchmark";
    static final double GOAL = 2.0;

    private PickCostReport() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 4) {
            System.err.println("usage: PickCostReport <BENCHMARKS.md> <command> <machine> <results.json>...");
            System.exit(2);
        }
        List<Path> files = new ArrayList<>();
        for (int i = 3; i < args.length; i++) {
            files.add(Path.of(args[i]));
        }
        Results results = BenchmarksReport.read(files);
        MarkdownBlocks.write(Path.of(args[0]), "picks", render(results, args[1], args[2]));
    }

    static String render(Results results, String command, String machine) {
        Map<String, Map<Integer, Run>> byStrategy = new LinkedHashMap<>();
        TreeMap<Integer, Boolean> sizes = new TreeMap<>();
        for (Run run : results.runs()) {
            if (run.className().equals(BENCHMARK)) {
                int size = Integer.parseInt(run.param("size"));
                byStrategy.computeIfAbsent(run.param("strategy"), s -> new TreeMap<>()).put(size, run);
                sizes.put(size, true);
            }
        }
        StringBuilder md = new StringBuilder("## Balancer pick cost\n\n");
        md.append("`LoadBalancer.pick` on a prebuilt set of endpoints (weights 1 to 4, all available; for consistent\n")
                .append("hashing, 16 prebuilt keys in turn), one thread, `-prof gc`. The last column divides the cost at the\n")
                .append("largest set by the cost at the smallest: the goal is at most ")
                .append(String.format(Locale.ROOT, "%.0f", GOAL)).append(" ×, and 0 B/op throughout.\n\n");
        md.append("- Command: `").append(command).append("`\n");
        md.append("- Machine: ").append(machine).append('\n');
        md.append("- JVM: ").append(results.jvm()).append("\n\n");
        if (byStrategy.isEmpty()) {
            return md.append("No ").append(BENCHMARK).append(" results.\n").toString();
        }
        md.append("| strategy |");
        for (int size : sizes.keySet()) {
            md.append(" ns/op ").append(BenchmarksReport.grouped(size)).append(" | B/op ").append(BenchmarksReport.grouped(size)).append(" |");
        }
        int smallest = sizes.firstKey();
        int largest = sizes.lastKey();
        md.append(' ').append(BenchmarksReport.grouped(largest)).append(" / ").append(BenchmarksReport.grouped(smallest)).append(" |\n|---|");
        md.append("---:|---:|".repeat(sizes.size())).append("---:|\n");
        List<String> missed = new ArrayList<>();
        for (Map.Entry<String, Map<Integer, Run>> row : byStrategy.entrySet()) {
            md.append("| ").append(row.getKey()).append(" |");
            for (int size : sizes.keySet()) {
                Run run = row.getValue().get(size);
                md.append(run == null ? " – | – |" : " " + BenchmarksReport.ns(run.nsPerOp(), run.nsError()) + " | " + BenchmarksReport.bytes(run.bytesPerOp()) + " |");
            }
            Run small = row.getValue().get(smallest);
            Run large = row.getValue().get(largest);
            if (small == null || large == null) {
                md.append(" – |\n");
                continue;
            }
            double ratio = large.nsPerOp() / small.nsPerOp();
            if (ratio > GOAL) {
                missed.add(row.getKey());
            }
            md.append(String.format(Locale.ROOT, " %.2f × %s |%n", ratio, ratio <= GOAL ? "✓" : "✗"));
        }
        md.append('\n');
        md.append(missed.isEmpty()
                ? String.format(Locale.ROOT, "Every strategy is within %.0f × from %s to %s endpoints.%n", GOAL,
                        BenchmarksReport.grouped(smallest), BenchmarksReport.grouped(largest))
                : String.format(Locale.ROOT, "Over %.0f × from %s to %s endpoints: %s.%n", GOAL, BenchmarksReport.grouped(smallest),
                        BenchmarksReport.grouped(largest), String.join(", ", missed)));
        return md.toString();
    }
}
