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
 * Turns a transport benchmark's JMH results (throughput and sample-time modes, one file per thread
 * count) into its section of BENCHMARKS.md: each client stack's throughput, p50 and p99 latency and
 * allocation per call, and Bulwark's stack against the bare one.
 *
 * <p>Usage: {@code TransportReport <BENCHMARKS.md> grpc|http <command> <machine> <results.json>...};
 * writes block {@code grpc} or {@code http} of the file (see {@link MarkdownBlocks}).
 */
public final class TransportReport {
    static final String BULWARK = "bulwark";

    /** What one transport's section shows. */
    record Spec(String benchmark, String baseline, List<String> order, String title, String intro) {
    }

    static final Spec GRPC = new Spec("GrpcUnaryBenchmark", "grpc-java", List.of("grpc-java", "grpc-java+retry+r4j", "bulwark"),
            "gRPC client stacks", """
            One unary call over loopback Netty to one of three echo servers in the same JVM, through plain
            grpc-java (round robin), grpc-java with its retry service config and a Resilience4j breaker
            interceptor, and Bulwark's channel (discovery, peak EWMA, a breaker per endpoint, retry with a
            budget, a limiter). Each JMH thread makes one blocking call at a time, so the thread count is the
            number of calls in flight. B/call counts both ends (the servers share the JVM): compare the
            differences. Goal: Bulwark at least 0.95 × plain grpc-java's throughput, p99 at most 1.1 ×.
            """);
    static final Spec HTTP = new Spec("HttpClientBenchmark", "java.net.http", List.of("java.net.http", "bulwark"),
            "HTTP client stacks", """
            One GET over loopback to a JDK HTTP server in the same JVM, through a bare `java.net.http` client
            at the server's address and through Bulwark's service client finding the same server (discovery,
            peak EWMA, a breaker and a bulkhead per instance, retry with a budget, the exchange's time limit).
            Each JMH thread makes one blocking call at a time. B/call counts both ends: compare the
            differences. Goal: Bulwark at least 0.95 × the bare client's throughput, p50 at most 10 µs more.
            """);

    /** One stack at one concurrency. */
    static final class Row {
        double opsPerSecond = Double.NaN;
        double opsError = Double.NaN;
        double p50Micros = Double.NaN;
        double p99Micros = Double.NaN;
        double bytesPerCall = Double.NaN;
    }

    private TransportReport() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length < 5 || !(args[1].equals("grpc") || args[1].equals("http"))) {
            System.err.println("usage: TransportReport <BENCHMARKS.md> grpc|http <command> <machine> <results.json>...");
            System.exit(2);
        }
        Spec spec = args[1].equals("grpc") ? GRPC : HTTP;
        Map<Integer, Map<String, Row>> rows = new TreeMap<>();
        String jvm = "";
        for (int i = 4; i < args.length; i++) {
            for (JsonNode run : new ObjectMapper().readTree(Path.of(args[i]).toFile())) {
                if (!run.path("benchmark").asText().contains(spec.benchmark())) {
                    continue;
                }
                jvm = run.path("vmName").asText() + " " + run.path("jdkVersion").asText();
                Row row = rows.computeIfAbsent(run.path("threads").asInt(), t -> new TreeMap<>())
                        .computeIfAbsent(run.path("params").path("stack").asText(), s -> new Row());
                read(run, row);
            }
        }
        MarkdownBlocks.write(Path.of(args[0]), args[1], render(spec, rows, args[2], args[3], jvm));
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

    static String render(Spec spec, Map<Integer, Map<String, Row>> rows, String command, String machine, String jvm) {
        StringBuilder md = new StringBuilder("## ").append(spec.title()).append("\n\n").append(spec.intro()).append('\n');
        md.append("- Command: `").append(command).append("`\n");
        md.append("- Machine: ").append(machine).append('\n');
        md.append("- JVM: ").append(jvm).append("\n\n");
        if (rows.isEmpty()) {
            return md.append("No ").append(spec.benchmark()).append(" results.\n").toString();
        }
        md.append("| calls in flight | stack | calls/s | vs ").append(spec.baseline()).append(" | p50 µs | p99 µs | p99 vs ")
                .append(spec.baseline()).append(" | B/call |\n");
        md.append("|---:|---|---:|---:|---:|---:|---:|---:|\n");
        List<String> verdicts = new ArrayList<>();
        for (Map.Entry<Integer, Map<String, Row>> byThreads : rows.entrySet()) {
            Row base = byThreads.getValue().get(spec.baseline());
            for (String stack : spec.order()) {
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
                    double p50Extra = r.p50Micros - base.p50Micros;
                    boolean ok = ratio >= 0.95 && (spec == GRPC ? p99Ratio <= 1.1 : p50Extra <= 10);
                    verdicts.add(spec == GRPC
                            ? String.format(Locale.ROOT, "%d in flight: %.2f × throughput, %.2f × p99 %s", byThreads.getKey(),
                                    ratio, p99Ratio, ok ? "(goal met)" : "(goal missed)")
                            : String.format(Locale.ROOT, "%d in flight: %.2f × throughput, p50 %+.0f µs %s", byThreads.getKey(),
                                    ratio, p50Extra, ok ? "(goal met)" : "(goal missed)"));
                }
            }
        }
        md.append("\nBulwark against ").append(spec.baseline()).append(": ").append(String.join("; ", verdicts)).append(".\n");
        return md.toString();
    }
}
