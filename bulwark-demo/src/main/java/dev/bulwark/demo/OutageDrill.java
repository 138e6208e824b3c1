package dev.bulwark.demo;

import dev.bulwark.testing.SimulatedDependency;
import java.io.PrintStream;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Runs the same scripted degradation against two identical simulated dependencies at once: one
 * called bare, one through a Bulwark pipeline. A progress line shows both while it runs.
 */
final class OutageDrill {
    record Result(Timeline timeline, int rate, RunStats bare, RunStats guarded,
            long bareDependencyCalls, long guardedDependencyCalls,
            long bareOutageCalls, long guardedOutageCalls, List<ProtectedClient.Transition> transitions) {
    }

    private final DrillOptions options;
    private final PrintStream out;

    OutageDrill(DrillOptions options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    Result run() throws Exception {
        Timeline timeline = Timeline.of(options.duration());
        SimulatedDependency bareDependency = timeline.dependency("profiles-bare", options.seed());
        SimulatedDependency guardedDependency = timeline.dependency("profiles-guarded", options.seed());
        RunStats bare = new RunStats();
        RunStats guarded = new RunStats();
        ProtectedClient client = new ProtectedClient(guardedDependency, options.rate(), guarded);

        out.println("Bulwark outage drill: " + timeline.describe());
        out.println("Two clients, each offered " + options.rate() + " calls/s: one bare, one through a Bulwark pipeline.");
        ExecutorService runs = Executors.newFixedThreadPool(2);
        try {
            Future<?> bareRun = runs.submit(() -> {
                new LoadGenerator("bare", options.rate(), options.duration()).run(seq -> bareDependency.call(), bare);
                return null;
            });
            Future<?> guardedRun = runs.submit(() -> {
                new LoadGenerator("bulwark", options.rate(), options.duration()).run(client::call, guarded);
                return null;
            });
            Progress progress = new Progress(out, timeline, bare, guarded, client);
            while (!(bareRun.isDone() && guardedRun.isDone())) {
                progress.show(bareDependency.elapsed());
                TimeUnit.MILLISECONDS.sleep(250);
            }
            progress.done();
            bareRun.get();
            guardedRun.get();
        } finally {
            runs.shutdownNow();
        }
        return new Result(timeline, options.rate(), bare, guarded, bareDependency.calls(), guardedDependency.calls(),
                bareDependency.callsDuring(timeline.outageFrom(), timeline.recoveryFrom()),
                guardedDependency.callsDuring(timeline.outageFrom(), timeline.recoveryFrom()),
                List.copyOf(client.transitions));
    }

    /** One line, rewritten in place on a terminal; a line every two seconds otherwise (logs, CI). */
    private static final class Progress {
        private final PrintStream out;
        private final Timeline timeline;
        private final RunStats bare;
        private final RunStats guarded;
        private final ProtectedClient client;
        private final boolean terminal = System.console() != null;
        private long lastLine = -1;

        Progress(PrintStream out, Timeline timeline, RunStats bare, RunStats guarded, ProtectedClient client) {
            this.out = out;
            this.timeline = timeline;
            this.bare = bare;
            this.guarded = guarded;
            this.client = client;
        }

        void show(Duration elapsed) {
            Duration shown = elapsed.compareTo(timeline.total()) > 0 ? timeline.total() : elapsed;
            String line = String.format(Locale.ROOT,
                    "%6s %-13s | bare: %5d calls, %5.1f%% ok, %3d in flight | bulwark: %5.1f%% ok, %4.1f%% stale, %4.1f%% fallback, breaker %s",
                    Report.seconds(shown), timeline.phaseAt(shown), bare.calls.sum(),
                    bare.percentOfCalls(bare.realSuccesses()), bare.inFlight(),
                    guarded.percentOfCalls(guarded.realSuccesses()), guarded.percentOfCalls(guarded.staleServes()),
                    guarded.percentOfCalls(guarded.fallbackServes.sum()), client.breaker.state());
            if (terminal) {
                out.print("\r" + line);
                out.flush();
            } else if (shown.toSeconds() / 2 != lastLine) {
                lastLine = shown.toSeconds() / 2;
                out.println(line);
            }
        }

        void done() {
            if (terminal) {
                out.println();
            }
        }
    }
}
