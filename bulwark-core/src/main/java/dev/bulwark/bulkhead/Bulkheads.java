package dev.bulwark.bulkhead;

import dev.bulwark.registry.PolicyRegistry;

/** Registries of named bulkheads: one per downstream service, each with its own limit. */
public final class Bulkheads {
    private Bulkheads() {
    }

    /**
     * Named bulkheads created from {@code defaults} unless a name was
     * {@linkplain PolicyRegistry#configure(String, Object) given its own config}; limits change live.
     */
    public static PolicyRegistry<Bulkhead, BulkheadConfig> registry(BulkheadConfig defaults) {
        return PolicyRegistry.of(defaults, new PolicyRegistry.Kind<>() {
            @Override
            public Bulkhead create(String name, BulkheadConfig config) {
                return Bulkhead.of(name, config);
            }

            @Override
            public void reconfigure(Bulkhead bulkhead, BulkheadConfig config) {
                bulkhead.reconfigure(config);
            }
        });
    }
}
