package dev.bulwark.demo;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Locale;

/** The side-by-side table printed when the drill ends. */
final class Report {
    private final PrintStream out;

    Report(PrintStream out) {
        this.out = out;
    }

    static String seconds(Duration d) {
        return String.format(Locale.ROOT, "%.1fs", d.toMillis() / 1000.0);
    }

    static String millis(long nanos) {
        if (nanos >= 1_000_000_000L) {
            return String.format(Locale.ROOT, "%.2fs", nanos / 1e9);
        }
        return nanos < 10_000_000L ? String.format(Locale.ROOT, "%.1fms", nanos / 1e6)
                : String.format(Locale.ROOT, "%dms", Math.round(nanos / 1e6));
    }

    private static String percent(double value) {
        return String.format(Locale.ROOT, "%.1f%%", value);
    }

    void print(OutageDrill.Result r) {
        RunStats bare = r.bare();
        RunStats guarded = r.guarded();
        out.println();
        out.println("Outage drill: " + seconds(r.timeline().total()) + " at " + r.rate() + " calls/s per client");
        out.println("  " + r.timeline().describe());
        out.println();
        row("", "bare", "bulwark");
        row("calls offered", bare.calls.sum(), guarded.calls.sum());
        row("real successes", percent(bare.percentOfCalls(bare.realSuccesses())),
                percent(guarded.percentOfCalls(guarded.realSuccesses())));
        row("served stale (cache)", "-", percent(guarded.percentOfCalls(guarded.staleServes())));
        row("served fallback", "-", percent(guarded.percentOfCalls(guarded.fallbackServes.sum())));
        row("answered (real + stale + fallback)", percent(bare.percentOfCalls(bare.answered.sum())),
                percent(guarded.percentOfCalls(guarded.answered.sum())));
        row("errors seen by caller", percent(bare.percentOfCalls(bare.errors.sum())),
                percent(guarded.percentOfCalls(guarded.errors.sum())));
        row("latency p50", millis(bare.latencyQuantile(0.50)), millis(guarded.latencyQuantile(0.50)));
        row("latency p99", millis(bare.latencyQuantile(0.99)), millis(guarded.latencyQuantile(0.99)));
        row("peak calls in flight", bare.peakInFlight(), guarded.peakInFlight());
        row("calls reaching the dependency", r.bareDependencyCalls(), r.guardedDependencyCalls());
        row("  of them during the outage", r.bareOutageCalls(), r.guardedOutageCalls());
        out.println();
        out.println("Breaker transitions (bulwark):");
        if (r.transitions().isEmpty()) {
            out.println("  none");
        }
        for (ProtectedClient.Transition t : r.transitions()) {
            out.printf(Locale.ROOT, "  %7s  %-9s -> %-9s %s%n", seconds(t.at()), t.from(), t.to(), t.reason());
        }
        out.println();
        out.println("Stale and fallback answers are counted apart from real successes: they are what the caller");
        out.println("got instead of an error while the dependency was down.");
    }

    private void row(String label, Object bare, Object guarded) {
        out.printf(Locale.ROOT, "  %-36s %10s %10s%n", label, bare, guarded);
    }
}
