package dev.bulwark.discovery;

import dev.bulwark.testing.discovery.Propagation;

/**
 * Prints the in-memory registry's row of BENCHMARKS.md's propagation table; {@code scripts/bench
 * propagation} runs it. Not a test.
 */
public final class PropagationMeasurement {
    private PropagationMeasurement() {
    }

    public static void main(String[] args) throws Exception {
        try (InMemoryRegistry registry = InMemoryRegistry.create()) {
            Propagation.measure("memory", registry, registry, 100); // warm-up
            System.out.println(Propagation.measure("memory", registry, registry, 1000).markdownRow());
        }
    }
}
