package dev.bulwark.balance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.InvalidConfigException;
import dev.bulwark.testing.FakeTicker;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class EndpointSetTest {
    private final FakeTicker ticker = new FakeTicker();

    @Test
    void keepsOrderAndIsACopy() {
        List<TestEndpoint> list = new ArrayList<>(TestEndpoint.numbered(3, ticker));
        EndpointSet<TestEndpoint> set = EndpointSet.of(list);
        list.clear();

        assertThat(set.size()).isEqualTo(3);
        assertThat(set.asList()).extracting(Endpoint::name).containsExactly("e0", "e1", "e2");
        assertThat(set.get(2).name()).isEqualTo("e2");
        assertThatThrownBy(() -> set.asList().add(new TestEndpoint("x", 1, ticker))).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void everySnapshotHasItsOwnVersion() {
        List<TestEndpoint> endpoints = TestEndpoint.numbered(2, ticker);
        EndpointSet<TestEndpoint> a = EndpointSet.of(endpoints);
        EndpointSet<TestEndpoint> b = EndpointSet.of(endpoints);

        assertThat(a.version()).isNotEqualTo(b.version());
        assertThat(EndpointSet.empty().isEmpty()).isTrue();
    }

    @Test
    void rejectsDuplicateNamesAndNulls() {
        assertThatThrownBy(() -> EndpointSet.of(new TestEndpoint("a", 1, ticker), new TestEndpoint("a", 2, ticker)))
                .isInstanceOf(InvalidConfigException.class).hasMessageContaining("endpoints[1].name");
        assertThatThrownBy(() -> EndpointSet.of(new TestEndpoint("a", 1, ticker), null))
                .isInstanceOf(InvalidConfigException.class).hasMessageContaining("endpoints[1]");
    }
}
