package dev.bulwark.discovery.nacos;

import dev.bulwark.discovery.RegistryEvent;
import dev.bulwark.discovery.ServiceInstance;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns two full instance lists into the changes between them. Nacos pushes a watched service's
 * whole list after every change (several changes close together arrive as one list); Bulwark's
 * watches report one event per instance: CREATED for an id that appeared, UPDATED for one whose
 * instance differs in any field, DELETED (with the instance as it last was) for one that is gone.
 *
 * <p>An empty list is taken at its word: every instance is DELETED. Whether to believe it is for
 * the consumer to decide ({@code DiscoveryCache} confirms such a wipe with a read first).
 */
final class PushDiff {
    private PushDiff() {
    }

    /**
     * The events that lead from {@code before} to {@code after} (both by instance id): creations
     * and updates first, then deletions, so that a list whose instances were all replaced never
     * looks empty half way.
     */
    static List<RegistryEvent> between(String service, Map<String, ServiceInstance> before, Map<String, ServiceInstance> after) {
        List<RegistryEvent> events = new ArrayList<>();
        after.forEach((id, now) -> {
            ServiceInstance old = before.get(id);
            if (old == null) {
                events.add(RegistryEvent.created(now));
            } else if (!old.equals(now)) {
                events.add(RegistryEvent.updated(now));
            }
        });
        before.forEach((id, old) -> {
            if (!after.containsKey(id)) {
                events.add(RegistryEvent.deleted(service, id, old));
            }
        });
        return events;
    }
}
