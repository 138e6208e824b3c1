package dev.bulwark.discovery.etcd;

import dev.bulwark.testing.discovery.Propagation;

/**
 * Prints the etcd registry's row of BENCHMARKS.md's propagation table: the time from
 * {@code register()} on one client to a {@code DiscoveryCache} on another client seeing the
 * instance, over 1000 changes (after 100 of warm-up), against a real etcd on loopback started
 * here (the binary must be installed, as {@code scripts/test} does). Not a test; run:
 *
 * <pre>
 * mvn -q -pl bulwark-discovery-etcd test-compile exec:java -Dexec.classpathScope=test \
 *     -Dexec.mainClass=dev.bulwark.discovery.etcd.PropagationMeasurement
 * </pre>
 */
public final class PropagationMeasurement {
    private PropagationMeasurement() {
    }

    public static void main(String[] args) throws Exception {
        try (EtcdServer etcd = EtcdServer.create("propagation").start();
                EtcdRegistry writer = EtcdRegistry.connect(etcd.config().build());
                EtcdRegistry reader = EtcdRegistry.connect(etcd.config().build())) {
            Propagation.measure("etcd", writer, reader, 100); // warm-up
            System.out.println(Propagation.measure("etcd", writer, reader, 1000).markdownRow());
        }
    }
}
