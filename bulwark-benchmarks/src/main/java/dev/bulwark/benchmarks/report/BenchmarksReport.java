package dev.bulwark.benchmarks.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns JMH's JSON results (one file per thread count) into BENCHMARKS.md: a table per scenario
 * with ns/op and B/op of every library at each thread count, and Bulwark's ratio to the best peer.
 *
 * <p>Usage: {@code BenchmarksReport <out.md> <notes.md> <command> <machine> <results.json>...}; the
 * notes (what the figures mean, what limits Bulwark where it trails) are copied in after the header.
 * Sections that other runs wrote into {@code out.md} between {@code <!-- NAME -->} and
 * {@code <!-- /NAME -->} (the drill, the pick cost) are kept, after the JMH sections.
 */
public final class BenchmarksReport {
    private static final Map<String, String> SCENARIOS = new LinkedHashMap<>();

    static {
        SCENARIOS.put("BreakerSuccessBenchmark", "1. Breaker, success path (closed)");
        SCENARIOS.put("BreakerFailuresBenchmark", "2. Breaker with 10 % failures");
        SCENARIOS.put("BreakerRejectionBenchmark", "3. Rejection while open");
        SCENARIOS.put("RateLimiterBenchmark", "4. Rate limiter");
        SCENARIOS.put("BulkheadBenchmark", "5. Semaphore bulkhead, acquire and release");
        SCENARIOS.put("RetryBenchmark", "6. Retry wrapper, success path");
        SCENARIOS.put("PipelineBenchmark", "7. Composed: limiter + bulkhead + breaker + retry, success path");
        SCENARIOS.put("PipelineAsyncBenchmark", "8. Composed, asynchronous: the same policies around a completed stage");
    }

    private BenchmarksReport() {
    }

    /** One JMH result: benchmark class and method, parameters, threads, score and allocation per operation. */
    record Run(String benchmark, Map<String, String> params, int threads, double nsPerOp, double nsError, double bytesPerOp) {
        /** The benchmark's class, e.g. {@code BreakerSuccessBenchmark}. */
        String className() {
            String[] parts = benchmark.split("\\.");
            return parts[parts.length - 2];
        }

        String param(String name) {
            return params.getOrDefault(name, "");
        }
    }

    /** The results of JMH JSON files, and the JVM they ran on. */
    record Results(List<Run> runs, String jvm) {
    }

    /** Reads JMH's JSON result files ({@code -rf json}). */
    static Results read(List<Path> files) throws IOException {
        List<Run> runs = new ArrayList<>();
        String jvm = "";
        for (Path file : files) {
            for (JsonNode run : new ObjectMapper().readTree(file.toFile())) {
                runs.add(run(run));
                jvm = run.path("vmName").asText() + " " + run.path("jdkVersion").asText() + " (" + run.path("vmVersion").asText() + ")";
            }
        }
        return new Results(runs, jvm);
    }

    static Run run(JsonNode run) {
        Map<String, String> params = new LinkedHashMap<>();
        run.path("params").fields().forEachRemaining(p -> params.put(p.getKey(), p.getValue().asText()));
        JsonNode primary = run.path("primaryMetric");
        JsonNode alloc = run.path("secondaryMetrics").path("gc.alloc.rate.norm");
        if (alloc.isMissingNode()) {
            alloc = run.path("secondaryMetrics").path("·gc.alloc.rate.norm");
        }
        return new Run(run.path("benchmark").asText(), params, run.path("threads").asInt(), primary.path("score").asDouble(),
                primary.path("scoreError").asDouble(Double.NaN), alloc.isMissingNode() ? Double.NaN : alloc.path("score").asDouble());
    }

    /** One measured point. */
    record Point(String scenario, String variant, int threads, double nsPerOp, double nsError, double bytesPerOp) {
        /** The library a variant belongs to: {@code bulwark-permit (under)} → {@code bulwark}. */
        String library() {
            String base = variant.contains(" (") ? variant.substring(0, variant.indexOf(" (")) : variant;
            int dash = base.indexOf('-');
            return dash < 0 ? base : base.substring(0, dash);
        }
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 5) {
            System.err.println("usage: BenchmarksReport <out.md> <notes.md> <command> <machine> <results.json>...");
            System.exit(2);
        }
        List<Path> files = new ArrayList<>();
        for (int i = 4; i < args.length; i++) {
            files.add(Path.of(args[i]));
        }
        Results results = read(files);
        List<Point> points = new ArrayList<>();
        for (Run run : results.runs()) {
            points.add(point(run));
        }
        Path notes = Path.of(args[1]);
        String notesText = Files.exists(notes) ? Files.readString(notes) : "";
        Path out = Path.of(args[0]);
        String kept = Files.exists(out) ? Files.readString(out) : "";
        String md = render(points, args[2], args[3], results.jvm(), notesText);
        Files.writeString(out, MarkdownBlocks.appendMissing(md, MarkdownBlocks.blocks(kept)));
    }

    static Point point(Run run) {
        String variant = run.param("library");
        if (run.params().containsKey("load")) {
            variant = variant + " (" + run.param("load") + ")";
        }
        return new Point(run.className(), variant, run.threads(), run.nsPerOp(), run.nsError(), run.bytesPerOp());
    }

    static String render(List<Point> points, String command, String machine, String jvm, String notes) {
        StringBuilder md = new StringBuilder();
        md.append("# Benchmarks\n\n");
        md.append("Bulwark side by side with Resilience4j 2.4.0, Failsafe 3.3.2 and Sentinel 1.8.9, in the same JMH run on\n");
        md.append("the same machine. Lower is better. `B/op` is JMH's `gc.alloc.rate.norm` (`-prof gc`); `≈0` means below\n");
        md.append("0.01 B/op, i.e. nothing allocated per call. *ratio* is Bulwark's ns/op divided by the best peer's.\n\n");
        md.append("- Command: `").append(command).append("`\n");
        md.append("- Machine: ").append(machine).append('\n');
        md.append("- JVM: ").append(jvm).append("\n\n");
        md.append(notes.strip()).append("\n\n");
        for (Map.Entry<String, String> scenario : SCENARIOS.entrySet()) {
            List<Point> rows = points.stream().filter(p -> p.scenario().equals(scenario.getKey())).toList();
            if (rows.isEmpty()) {
                continue;
            }
            md.append("## ").append(scenario.getValue()).append("\n\n");
            Map<String, Map<Integer, Point>> byVariant = new LinkedHashMap<>();
            TreeMap<Integer, Boolean> threadCounts = new TreeMap<>();
            for (Point p : rows) {
                byVariant.computeIfAbsent(p.variant(), v -> new TreeMap<>()).put(p.threads(), p);
                threadCounts.put(p.threads(), true);
            }
            md.append("| library |");
            for (int t : threadCounts.keySet()) {
                md.append(" ns/op ").append(t).append("t | B/op ").append(t).append("t |");
            }
            md.append("\n|---|");
            md.append("---:|---:|".repeat(threadCounts.size()));
            md.append('\n');
            for (Map.Entry<String, Map<Integer, Point>> v : byVariant.entrySet()) {
                md.append("| ").append(v.getKey().startsWith("bulwark") ? "**" + v.getKey() + "**" : v.getKey()).append(" |");
                for (int t : threadCounts.keySet()) {
                    Point p = v.getValue().get(t);
                    md.append(p == null ? " – | – |" : " " + ns(p.nsPerOp(), p.nsError()) + " | " + bytes(p.bytesPerOp()) + " |");
                }
                md.append('\n');
            }
            md.append('\n');
            for (String load : loads(rows)) {
                for (int t : threadCounts.keySet()) {
                    md.append(ratioLine(rows, load, t));
                }
            }
            md.append('\n');
        }
        return md.toString();
    }

    private static List<String> loads(List<Point> rows) {
        List<String> loads = new ArrayList<>();
        for (Point p : rows) {
            int paren = p.variant().indexOf(" (");
            String load = paren < 0 ? "" : p.variant().substring(paren);
            if (!loads.contains(load)) {
                loads.add(load);
            }
        }
        return loads;
    }

    // Bulwark's primary variant (the plain one, else its first) against the fastest peer variant.
    private static String ratioLine(List<Point> rows, String load, int threads) {
        Point bulwark = null;
        Point best = null;
        for (Point p : rows) {
            boolean sameLoad = load.isEmpty() ? !p.variant().contains(" (") : p.variant().endsWith(load);
            if (p.threads() != threads || !sameLoad) {
                continue;
            }
            String base = load.isEmpty() ? p.variant() : p.variant().substring(0, p.variant().length() - load.length());
            if (p.library().equals("bulwark")) {
                if (bulwark == null || base.equals("bulwark")) {
                    bulwark = p;
                }
            } else if (best == null || p.nsPerOp() < best.nsPerOp()) {
                best = p;
            }
        }
        if (bulwark == null || best == null) {
            return "";
        }
        return String.format(Locale.ROOT, "- ratio at %d thread%s%s: %s %.2f× the best peer (%s, %s ns/op)%n", threads,
                threads == 1 ? "" : "s", load, bulwark.variant().replace(load, ""), bulwark.nsPerOp() / best.nsPerOp(),
                best.variant().replace(load, ""), format(best.nsPerOp()));
    }

    /** A score with its error: "23.4 ± 0.5". */
    static String ns(double nsPerOp, double nsError) {
        return Double.isNaN(nsError) || nsError == 0 ? format(nsPerOp) : format(nsPerOp) + " ± " + format(nsError);
    }

    static String format(double ns) {
        return ns >= 100 ? String.format(Locale.ROOT, "%.0f", ns) : String.format(Locale.ROOT, "%.1f", ns);
    }

    /** A count with its thousands apart: 10000 → "10 000". */
    public static String grouped(long n) {
        return String.format(Locale.ROOT, "%,d", n).replace(',', ' ');
    }

    static String bytes(double b) {
        if (Double.isNaN(b)) {
            return "?";
        }
        return b < 0.01 ? "≈0" : String.format(Locale.ROOT, "%.0f", b);
    }
}
