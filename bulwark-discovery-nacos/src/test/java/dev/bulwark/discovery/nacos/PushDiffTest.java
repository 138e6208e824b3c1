package dev.bulwark.discovery.nacos;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.discovery.RegistryEvent;
import dev.bulwark.discovery.ServiceInstance;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PushDiffTest {
    private static ServiceInstance instance(int port, int weight) {
        return ServiceInstance.builder("users", "127.0.0.1", port).id("i-" + port).weight(weight)
                .registeredAt(Instant.parse("2026-01-01T00:00:00Z")).build();
    }

    private static Map<String, ServiceInstance> byId(ServiceInstance... instances) {
        Map<String, ServiceInstance> out = new LinkedHashMap<>();
        for (ServiceInstance i : instances) {
            out.put(i.id(), i);
        }
        return out;
    }

    @Test
    void aPushBecomesOneEventPerChangedInstance() {
        ServiceInstance kept = instance(1, 1);
        ServiceInstance changedBefore = instance(2, 1);
        ServiceInstance changedAfter = instance(2, 5);
        ServiceInstance gone = instance(3, 1);
        ServiceInstance added = instance(4, 1);

        List<RegistryEvent> events = PushDiff.between("users", byId(kept, changedBefore, gone), byId(kept, changedAfter, added));

        assertThat(events).containsExactlyInAnyOrder(
                RegistryEvent.updated(changedAfter),
                RegistryEvent.created(added),
                RegistryEvent.deleted("users", gone.id(), gone));
    }

    @Test
    void theSameListAgainIsNoChange() {
        assertThat(PushDiff.between("users", byId(instance(1, 1), instance(2, 2)), byId(instance(2, 2), instance(1, 1)))).isEmpty();
    }

    @Test
    void anEmptyPushDeletesEveryInstanceAsItLastWas() {
        ServiceInstance a = instance(1, 1);
        ServiceInstance b = instance(2, 1);
        assertThat(PushDiff.between("users", byId(a, b), Map.of()))
                .containsExactlyInAnyOrder(RegistryEvent.deleted("users", a.id(), a), RegistryEvent.deleted("users", b.id(), b));
    }

    @Test
    void replacementsComeBeforeDeletionsSoTheListNeverLooksEmptyHalfWay() {
        ServiceInstance old = instance(1, 1);
        ServiceInstance replacement = instance(2, 1);
        assertThat(PushDiff.between("users", byId(old), byId(replacement))).extracting(RegistryEvent::type)
                .containsExactly(RegistryEvent.Type.CREATED, RegistryEvent.Type.DELETED);
    }
}
