package dev.bulwark.benchmarks.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns {@code GrpcUnaryBenchmark}'s JMH results (throughput and sample-time modes, one file per
 * thread count) into the gRPC section of BENCHMARKS.md: each client stack's throughput, p50 and
 * p99 latency and allocation per call, and Bulwark's stack against plain grpc-java (goal: at least
 * 0.95 × the throughput, p99 at most 1.1 ×).
 *
 * <p>Usage: {@code GrpcReport <BENCHMARKS.md> <command> <machine> <results.json>...}; writes block
 * {@code grpc} of the file (see {@link MarkdownBlocks}).
 */
public final class GrpcReport {
    static final String BENCHMARK = "GrpcUnaryBenchmark";
    static final String BASELINE = "grpc-java";
    static final String BULWARK = "bulwark";
    static final List<String> ORDER = List.of("grpc-java", "grpc-java+retry+r4j", "bulwark");

    /** One stack at one concurrency. */
    static final class Row {
        double opsPerSecond = Double.NaN;
        double opsError = Double.NaN;
        double p50Micros = Double.NaN;
        double p99Micros = Double.NaN;
        double bytesPerCall = Double.NaN;
    }

    private GrpcReport() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 4) {
            System.err.println("usage: GrpcReport <BENCHMARKS.md> <command> <machine> <results.json>...");
            System.exit(2);
        }
        Map<Integer, Map<String, Row>> rows = new TreeMap<>();
        String jvm = "";
        for (int i = 3; i < args.length; i++) {
            for (JsonNode run : new ObjectMapper().readTree(Path.of(args[i]).toFile())) {
                if (!run.path("benchmark").asText().contains(BENCHMARK)) {
                    continue;
                }
                jvm = run.path("vmName").asText() + " " + run.path("jdkVersion").asText();
                Row row = rows.computeIfAbsent(run.path("threads").asInt(), t -> new TreeMap<>())
                        .computeIfAbsent(run.path("params").path("stack").asText(), s -> new Row());
                read(run, row);
            }
        }
        MarkdownBlocks.write(Path.of(args[0]), "grpc", render(rows, args[1], args[2], jvm));
    }

    private static void read(JsonNode run, Row row) {
        JsonNode primary = run.path("primaryMetric");
        String unit = primary.path("scoreUnit").asText();
        double perUnit = unit.startsWith("ops/us") ? 1e6 : unit.startsWith("ops/ms") ? 1e3 : 1;
        double toMicros = unit.startsWith("ms/") ? 1e3 : unit.startsWith("ns/") ? 1e-3 : unit.startsWith("s/") ? 1e6 : 1;
        switch (run.path("mode").asText()) {
            case "thrpt" -> {
                row.opsPerSecond = primary.path("score").asDouble() * perUnit;
                row.opsError = primary.path("scoreError").asDouble(Double.NaN) * perUnit;
                JsonNode alloc = run.path("secondaryMetrics").path("gc.alloc.rate.norm");
                if (alloc.isMissingNode()) {
                    alloc = run.path("secondaryMetrics").path("·gc.alloc.rate.norm");
                }
                if (!alloc.isMissingNode()) {
                    row.bytesPerCall = alloc.path("score").asDouble();
                }
            }
            case "sample" -> {
                JsonNode percentiles = primary.path("scorePercentiles");
                row.p50Micros = percentiles.path("50.0").asDouble() * toMicros;
                row.p99Micros = percentiles.path("99.0").asDouble() * toMicros;
            }
            default -> { }
        }
    }

    static String render(Map<Integer, Map<String, Row>> rows, String command, String machine, String jvm) {
        StringBuilder md = new StringBuilder("## gRPC client stacks\n\n");
        md.append("One unary call over loopback Netty to one of three echo servers in the same JVM, through plain\n")
                .append("grpc-java (round robin), grpc-java with its retry service config and a Resilience4j breaker\n")
                .append("interceptor, and Bulwark's channel (discovery, peak EWMA, a breaker per endpoint, retry with a\n")
                .append("budget, a limiter). Each JMH thread makes one blocking call at a time, so the thread count is the\n")
                .append("number of calls in flight. B/op counts both ends (the servers share the JVM): compare the\n")
                .append("differences. Goal: Bulwark at least 0.95 × plain grpc-java's throughput, p99 at most 1.1 ×.\n\n");
        md.append("- Command: `").append(command).append("`\n");
        md.append("- Machine: ").append(machine).append('\n');
        md.append("- JVM: ").append(jvm).append("\n\n");
        if (rows.isEmpty()) {
            return md.append("No ").append(BENCHMARK).append(" results.\n").toString();
        }
        md.append("| calls in flight | stack | calls/s | vs grpc-java | p50 µs | p99 µs | p99 vs grpc-java | B/call |\n");
        md.append("|---:|---|---:|---:|---:|---:|---:|---:|\n");
        List<String> verdicts = new ArrayList<>();
        for (Map.Entry<Integer, Map<String, Row>> byThreads : rows.entrySet()) {
            Row base = byThreads.getValue().get(BASELINE);
            for (String stack : ORDER) {
                Row r = byThreads.getValue().get(stack);
                if (r == null) {
                    continue;
                }
                double ratio = base == null ? Double.NaN : r.opsPerSecond / base.opsPerSecond;
                double p99Ratio = base == null ? Double.NaN : r.p99Micros / base.p99Micros;
                md.append(String.format(Locale.ROOT, "| %d | %s | %,.0f ± %,.0f | %.2f × | %.0f | %.0f | %.2f × | %,.0f |%n",
                        byThreads.getKey(), stack, r.opsPerSecond, r.opsError, ratio, r.p50Micros, r.p99Micros, p99Ratio,
                        r.bytesPerCall));
                if (stack.equals(BULWARK) && base != null) {
                    boolean ok = ratio >= 0.95 && p99Ratio <= 1.1;
                    verdicts.add(String.format(Locale.ROOT, "%d in flight: %.2f × throughput, %.2f × p99 %s", byThreads.getKey(),
                            ratio, p99Ratio, ok ? "(goal met)" : "(goal missed)"));
                }
            }
        }
        md.append("\nBulwark against plain grpc-java: ").append(String.join("; ", verdicts)).append(".\n");
        return md.toString();
    }
}
