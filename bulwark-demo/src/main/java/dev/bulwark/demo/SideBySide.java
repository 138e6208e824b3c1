package dev.bulwark.demo;

import java.io.PrintStream;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/** A table with one column per client, printed row by row: the transport drills' output. */
final class SideBySide<R> {
    private final PrintStream out;
    private final List<R> runs;

    SideBySide(PrintStream out, List<R> runs, Function<R, String> title) {
        this.out = out;
        this.runs = runs;
        out.println();
        out.printf(Locale.ROOT, "  %-40s", "");
        runs.forEach(r -> out.printf(Locale.ROOT, " %16s", title.apply(r)));
        out.println();
    }

    SideBySide<R> row(String label, Function<R, String> value) {
        out.printf(Locale.ROOT, "  %-40s", label);
        runs.forEach(r -> out.printf(Locale.ROOT, " %16s", value.apply(r)));
        out.println();
        return this;
    }

    /** The rows every transport drill prints from a client's {@link RunStats}. */
    SideBySide<R> outcomes(Function<R, RunStats> stats) {
        return row("calls", r -> String.valueOf(stats.apply(r).calls.sum()))
                .row("answered", r -> String.format(Locale.ROOT, "%.2f%%", stats.apply(r).percentOfCalls(stats.apply(r).answered.sum())))
                .row("failed", r -> String.valueOf(stats.apply(r).errors.sum()))
                .row("latency p50", r -> Report.millis(stats.apply(r).latencyQuantile(0.50)))
                .row("latency p90", r -> Report.millis(stats.apply(r).latencyQuantile(0.90)))
                .row("latency p99", r -> Report.millis(stats.apply(r).latencyQuantile(0.99)));
    }
}
