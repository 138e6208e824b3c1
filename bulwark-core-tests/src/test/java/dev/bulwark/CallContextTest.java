package dev.bulwark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.testing.FakeTicker;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class CallContextTest {

    @Test
    void deadlineIsMeasuredOnTheGivenTicker() {
        FakeTicker ticker = new FakeTicker();
        CallContext context = CallContext.withDeadline(Duration.ofMillis(800), ticker);
        assertThat(context.hasDeadline()).isTrue();
        ticker.advance(Duration.ofMillis(300));
        assertThat(context.remainingNanos(ticker.read())).isEqualTo(Duration.ofMillis(500).toNanos());
        assertThat(CallContext.none().hasDeadline()).isFalse();
        assertThat(CallContext.none().remainingNanos(ticker.read())).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void attributesAreTypedImmutableAndKeyedByIdentity() {
        CallContext.Key<String> tenant = CallContext.key("tenant");
        CallContext.Key<String> sameName = CallContext.key("tenant");
        CallContext base = CallContext.none();
        CallContext withTenant = base.with(tenant, "acme");
        assertThat(withTenant.get(tenant)).isEqualTo("acme");
        assertThat(withTenant.get(sameName)).as("another key with the same name is another key").isNull();
        assertThat(base.get(tenant)).as("with() never changes the original").isNull();
        CallContext both = withTenant.withDeadlineAt(42);
        assertThat(both.get(tenant)).isEqualTo("acme");
        assertThat(both.deadlineNanos()).isEqualTo(42);
    }
}
