package dev.bulwark.balance;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.CallContext;
import dev.bulwark.testing.FakeTicker;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** What every built-in balancer promises, whatever its strategy. */
class EveryStrategyTest {
    private static final CallContext KEYED = CallContext.none().with(LoadBalancers.HASH_KEY, "user-42");

    private final FakeTicker ticker = new FakeTicker();
    private final List<TestEndpoint> endpoints = TestEndpoint.numbered(5, ticker);
    private final EndpointSet<TestEndpoint> set = EndpointSet.of(endpoints);

    private static LoadBalancer balancer(Strategy strategy) {
        return LoadBalancers.create(strategy, new SplittableRandom(7));
    }

    @ParameterizedTest
    @EnumSource(Strategy.class)
    void anEmptySetGivesNull(Strategy strategy) {
        assertThat(balancer(strategy).pick(EndpointSet.<TestEndpoint>empty(), CallContext.none(), Exclusion.NONE)).isNull();
        assertThat(balancer(strategy).pick(EndpointSet.<TestEndpoint>empty(), KEYED, Exclusion.NONE)).isNull();
    }

    @ParameterizedTest
    @EnumSource(Strategy.class)
    void unavailableEndpointsAreNeverPicked(Strategy strategy) {
        endpoints.get(1).available(false);
        endpoints.get(3).available(false);
        LoadBalancer balancer = balancer(strategy);

        Map<String, Integer> counts = Picking.counts(balancer, set, 2_000);
        Map<String, Integer> keyed = Picking.counts(balancer, set, 200, KEYED, null);

        assertThat(counts).containsEntry("e1", 0).containsEntry("e3", 0);
        assertThat(keyed).containsEntry("e1", 0).containsEntry("e3", 0);
        if (strategy != Strategy.CONSISTENT_HASH) {
            assertThat(counts.get("e0")).as("e0 still picked").isPositive();
            assertThat(counts.get("e2")).as("e2 still picked").isPositive();
            assertThat(counts.get("e4")).as("e4 still picked").isPositive();
        }
    }

    @ParameterizedTest
    @EnumSource(Strategy.class)
    void nullWhenNoEndpointIsAvailable(Strategy strategy) {
        endpoints.forEach(e -> e.available(false));
        LoadBalancer balancer = balancer(strategy);

        for (int i = 0; i < 50; i++) {
            assertThat(balancer.pick(set, CallContext.none(), Exclusion.NONE)).isNull();
            assertThat(balancer.pick(set, KEYED, Exclusion.NONE)).isNull();
            assertThat(balancer.pick(set, KEYED, Exclusion.of(endpoints.get(0)))).isNull();
        }
    }

    @ParameterizedTest
    @EnumSource(Strategy.class)
    void theEndpointToAvoidIsPassedOverWhileAnotherIsAvailable(Strategy strategy) {
        LoadBalancer balancer = balancer(strategy);
        for (TestEndpoint avoid : endpoints) {
            Map<String, Integer> counts = Picking.counts(balancer, set, 500, CallContext.none(), avoid);
            Map<String, Integer> keyed = Picking.counts(balancer, set, 50, KEYED, avoid);
            assertThat(counts).containsEntry(avoid.name(), 0);
            assertThat(keyed).containsEntry(avoid.name(), 0);
        }
    }

    @ParameterizedTest
    @EnumSource(Strategy.class)
    void theEndpointToAvoidIsPickedWhenItIsTheOnlyOneAvailable(Strategy strategy) {
        LoadBalancer balancer = balancer(strategy);
        endpoints.forEach(e -> e.available(false));
        TestEndpoint last = endpoints.get(2).available(true);

        for (int i = 0; i < 50; i++) {
            assertThat(balancer.pick(set, CallContext.none(), Exclusion.of(last))).isSameAs(last);
            assertThat(balancer.pick(set, KEYED, Exclusion.of(last))).isSameAs(last);
        }
    }

    @ParameterizedTest
    @EnumSource(Strategy.class)
    void aSingleEndpointIsAlwaysPickedAndAvoidedOnlyIfThereIsAnother(Strategy strategy) {
        TestEndpoint only = new TestEndpoint("only", 3, ticker);
        EndpointSet<TestEndpoint> single = EndpointSet.of(only);
        LoadBalancer balancer = balancer(strategy);

        assertThat(balancer.pick(single, CallContext.none(), Exclusion.NONE)).isSameAs(only);
        assertThat(balancer.pick(single, KEYED, Exclusion.of(only))).isSameAs(only);
        only.available(false);
        assertThat(balancer.pick(single, CallContext.none(), Exclusion.NONE)).isNull();
    }

    @ParameterizedTest
    @EnumSource(Strategy.class)
    void eachNewAvailabilityIsSeenAtTheNextPick(Strategy strategy) {
        LoadBalancer balancer = balancer(strategy);
        endpoints.forEach(e -> e.available(false));
        TestEndpoint only = endpoints.get(4).available(true);
        assertThat(balancer.pick(set, KEYED, Exclusion.NONE)).isSameAs(only);

        only.available(false);
        TestEndpoint other = endpoints.get(0).available(true);

        assertThat(balancer.pick(set, KEYED, Exclusion.NONE)).isSameAs(other);
        assertThat(balancer.pick(set, CallContext.none(), Exclusion.NONE)).isSameAs(other);
    }
}
