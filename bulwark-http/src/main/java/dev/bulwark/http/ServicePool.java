package dev.bulwark.http;

import dev.bulwark.call.ClientPool;
import dev.bulwark.discovery.DiscoveryPools;
import dev.bulwark.http.internal.InstanceBulkheads;
import java.net.URI;

/** One service's endpoints (a pool kept in step with discovery) and their bulkheads. */
record ServicePool(String service, ClientPool<URI> pool, DiscoveryPools.Binding binding, InstanceBulkheads bulkheads)
        implements AutoCloseable {

    @Override
    public void close() {
        binding.close();
        pool.close();
    }
}
