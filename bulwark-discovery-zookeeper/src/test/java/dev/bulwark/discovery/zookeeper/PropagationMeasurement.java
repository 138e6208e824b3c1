package dev.bulwark.discovery.zookeeper;

import dev.bulwark.testing.discovery.Propagation;

/**
 * Prints the ZooKeeper registry's row of BENCHMARKS.md's propagation table: the time from
 * {@code register()} on one client to a {@code DiscoveryCache} on another client seeing the
 * instance, over 1000 changes (after 100 of warm-up), against a real ZooKeeper server on
 * loopback started here. Not a test.
 */
public final class PropagationMeasurement {
    private PropagationMeasurement() {
    }

    public static void main(String[] args) throws Exception {
        try (TestZooKeeper zookeeper = TestZooKeeper.start();
                ZooKeeperRegistry writer = zookeeper.connect("/propagation");
                ZooKeeperRegistry reader = zookeeper.connect("/propagation")) {
            Propagation.measure("zookeeper", writer, reader, 100); // warm-up
            System.out.println(Propagation.measure("zookeeper", writer, reader, 1000).markdownRow());
        }
    }
}
