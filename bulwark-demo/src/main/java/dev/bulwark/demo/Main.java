package dev.bulwark.demo;

import dev.bulwark.InvalidConfigException;

/**
 * The outage drill: a simulated dependency degrades (a latency spike, then a hard outage, then
 * recovery) under steady load, and two clients call it: one bare, one through a Bulwark pipeline.
 * At the end, a side-by-side table from real counters shows what resilience bought.
 */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) throws Exception {
        DrillOptions options;
        try {
            options = DrillOptions.parse(args);
        } catch (InvalidConfigException e) {
            System.err.println("bulwark demo: " + e.getMessage());
            System.err.print(DrillOptions.USAGE);
            System.exit(2);
            return;
        }
        if (options.help()) {
            System.out.print(DrillOptions.USAGE);
            return;
        }
        OutageDrill.Result result = new OutageDrill(options, System.out).run();
        new Report(System.out).print(result);
    }
}
