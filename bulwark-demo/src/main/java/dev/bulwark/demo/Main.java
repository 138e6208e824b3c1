package dev.bulwark.demo;

import dev.bulwark.InvalidConfigException;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The demo. The outage drill: a simulated dependency degrades (a latency spike, then a hard
 * outage, then recovery) under steady load, and two clients call it: one bare, one through a
 * Bulwark pipeline. The pool drill: five endpoints, one slow and one failing, behind round robin
 * and peak EWMA. The gRPC drill: three real gRPC servers, one turning slow and one killed, called
 * by a bare grpc-java client and a Bulwark channel. The HTTP drill: three real HTTP instances, one
 * answering 503 and one killed, called by a bare java.net.http client and Bulwark's service client.
 * Each ends in a side-by-side table from real counters. While they run, the Bulwark clients'
 * meters (pools, gRPC, HTTP) are served for Prometheus at {@code http://127.0.0.1:<port>/metrics}.
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
        try (MetricsServer metrics = MetricsServer.start(options.metricsPort())) {
            System.out.println("Metrics for Prometheus while the demo runs: " + metrics.address());
            MeterRegistry meters = metrics.registry();
            if (options.scenario().runsOutage()) {
                OutageDrill.Result result = new OutageDrill(options, System.out).run();
                new Report(System.out).print(result);
            }
            if (options.scenario().runsPool()) {
                PoolDrill pool = new PoolDrill(options.poolDuration(), options.rate(), options.seed(), options.registry(), meters,
                        System.out);
                pool.print(pool.run());
            }
            if (options.scenario().runsGrpc()) {
                new GrpcDrill(options.poolDuration(), options.rate(), meters, System.out).run();
            }
            if (options.scenario().runsHttp()) {
                new HttpDrill(options.poolDuration(), options.rate(), meters, System.out).run();
            }
        }
    }
}
