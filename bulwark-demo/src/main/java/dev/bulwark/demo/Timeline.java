package dev.bulwark.demo;

import dev.bulwark.testing.LatencyDistribution;
import dev.bulwark.testing.SimulatedDependency;
import java.time.Duration;

/**
 * The drill's script for the dependency: healthy, then a latency spike, then a hard outage, then
 * recovery, in proportion to the drill's length.
 */
record Timeline(Duration total, Duration spikeFrom, Duration outageFrom, Duration recoveryFrom) {
    static final LatencyDistribution HEALTHY = LatencyDistribution.logNormal(Duration.ofMillis(20), Duration.ofMillis(80));
    static final LatencyDistribution SPIKE = LatencyDistribution.logNormal(Duration.ofMillis(350), Duration.ofMillis(1500));
    /** During the outage every call fails after this long, like a connection that times out. */
    static final Duration OUTAGE_FAILS_AFTER = Duration.ofSeconds(1);

    static Timeline of(Duration total) {
        return new Timeline(total, part(total, 0.25), part(total, 0.45), part(total, 0.75));
    }

    private static Duration part(Duration total, double fraction) {
        return Duration.ofMillis(Math.round(total.toMillis() * fraction));
    }

    SimulatedDependency dependency(String name, long seed) {
        return SimulatedDependency.builder(name)
                .latency(HEALTHY)
                .errorRate(0.005)
                .seed(seed)
                .phase(spikeFrom, outageFrom, SimulatedDependency.Phase.latency(SPIKE))
                .phase(outageFrom, recoveryFrom, SimulatedDependency.Phase.outage(OUTAGE_FAILS_AFTER))
                .build();
    }

    String phaseAt(Duration elapsed) {
        if (elapsed.compareTo(spikeFrom) < 0) {
            return "healthy";
        }
        if (elapsed.compareTo(outageFrom) < 0) {
            return "latency spike";
        }
        if (elapsed.compareTo(recoveryFrom) < 0) {
            return "outage";
        }
        return "recovery";
    }

    String describe() {
        return "healthy → latency spike at " + Report.seconds(spikeFrom) + " → outage " + Report.seconds(outageFrom)
                + "–" + Report.seconds(recoveryFrom) + " → recovery until " + Report.seconds(total);
    }
}
