package dev.bulwark.discovery.consul;

import dev.bulwark.discovery.ServiceInstance;
import java.math.BigInteger;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.kiwiproject.consul.Consul;
import org.kiwiproject.consul.model.ConsulResponse;
import org.kiwiproject.consul.model.health.ServiceHealth;
import org.kiwiproject.consul.option.ImmutableQueryOptions;
import org.kiwiproject.consul.option.QueryOptions;

/**
 * Reads one service through Consul's health endpoint ({@code GET /v1/health/service/<name>}),
 * every instance and not only passing ones, plainly or as a blocking query, and decodes the
 * answer: instances by id (expired ones left out, corrupt ones skipped and counted) and the
 * {@code X-Consul-Index} it was answered at.
 */
final class HealthReader {
    private final String datacenter;
    private final dev.bulwark.discovery.internal.CorruptEntries corrupt;

    /** One answer: the visible instances by id, at {@code index}. */
    record Answer(long index, Map<String, ServiceInstance> instances) {
    }

    HealthReader(String datacenter, dev.bulwark.discovery.internal.CorruptEntries corrupt) {
        this.datacenter = datacenter;
        this.corrupt = corrupt;
    }

    /** The service now. */
    Answer read(Consul client, String service) {
        return decode(service, client.healthClient().getAllServiceInstances(service, options().build()));
    }

    /** The service's index now, without decoding (or counting) its entries. */
    long index(Consul client, String service) {
        return index(client.healthClient().getAllServiceInstances(service, options().build()).getIndex());
    }

    /**
     * The service once its index has moved past {@code index}, or as it is after
     * {@code waitSeconds} if it has not (Consul adds up to 1/16 of the wait as jitter).
     */
    Answer await(Consul client, String service, long index, int waitSeconds) {
        QueryOptions blocking = options().wait(waitSeconds + "s").index(BigInteger.valueOf(index)).build();
        return decode(service, client.healthClient().getAllServiceInstances(service, blocking));
    }

    /** The services in the catalog (names only), for a full listing. */
    List<String> services(Consul client) {
        return List.copyOf(client.catalogClient().getServices(options().build()).getResponse().keySet());
    }

    private ImmutableQueryOptions.Builder options() {
        ImmutableQueryOptions.Builder options = ImmutableQueryOptions.builder();
        if (!datacenter.isEmpty()) {
            options.datacenter(datacenter);
        }
        return options;
    }

    private Answer decode(String service, ConsulResponse<List<ServiceHealth>> response) {
        Map<String, ServiceInstance> instances = new LinkedHashMap<>();
        java.util.Set<String> bad = new java.util.HashSet<>();
        for (ServiceHealth entry : response.getResponse()) {
            String key = service + "/" + entry.getService().getId();
            try {
                Optional<ServiceInstance> instance = Entries.read(entry);
                instance.ifPresent(i -> instances.put(i.id(), i));
            } catch (CorruptEntryException e) {
                if (e.foreign()) {
                    corrupt.foreign(key, e.getMessage());
                } else {
                    bad.add(key);
                    corrupt.skipped(key, e.getMessage());
                }
            }
        }
        corrupt.reconcile(service + "/", bad);
        return new Answer(index(response.getIndex()), instances);
    }

    private static long index(BigInteger index) {
        return index == null || index.signum() <= 0 ? 0 : index.bitLength() > 63 ? Long.MAX_VALUE : index.longValue();
    }
}
