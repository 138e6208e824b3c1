package dev.bulwark.balance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.testing.FakeTicker;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PreparedTest {
    private final FakeTicker ticker = new FakeTicker();
    private final List<TestEndpoint> endpoints = TestEndpoint.numbered(3, ticker);
    private final Prepared<String> prepared = new Prepared<>();
    private final AtomicInteger builds = new AtomicInteger();

    private String build(EndpointSet<TestEndpoint> set) {
        builds.incrementAndGet();
        return "table of v" + set.version() + " with weight " + set.get(0).weight();
    }

    @Test
    void buildsOncePerSnapshotVersion() {
        EndpointSet<TestEndpoint> set = EndpointSet.of(endpoints);

        String first = prepared.of(set, this::build);
        String again = prepared.of(set, this::build);

        assertThat(again).isSameAs(first);
        assertThat(builds).hasValue(1);
    }

    @Test
    void rebuildsWhenTheVersionChangesEvenWithTheSameMembers() {
        EndpointSet<TestEndpoint> before = EndpointSet.of(endpoints);
        String first = prepared.of(before, this::build);
        endpoints.get(0).weight(9);
        assertThat(prepared.of(before, this::build)).as("a weight changed but not the snapshot").isSameAs(first);

        EndpointSet<TestEndpoint> reweighted = EndpointSet.of(before.asList());
        String second = prepared.of(reweighted, this::build);

        assertThat(second).isEqualTo("table of v" + reweighted.version() + " with weight 9");
        assertThat(builds).hasValue(2);
    }

    @Test
    void goingBackToAnOlderSnapshotRebuildsForIt() {
        EndpointSet<TestEndpoint> older = EndpointSet.of(endpoints);
        EndpointSet<TestEndpoint> newer = EndpointSet.of(endpoints.subList(0, 2));

        prepared.of(older, this::build);
        prepared.of(newer, this::build);
        String back = prepared.of(older, this::build);

        assertThat(back).startsWith("table of v" + older.version());
        assertThat(builds).hasValue(3);
    }
}
