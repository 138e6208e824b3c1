package dev.bulwark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.testing.FakeTicker;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class CallContextTest {

    @Test
    void deadlineIsMeasuredOnTheGivenTicker() {
        FakeTicker ticker = new FakeTicker();
        long start = ticker.read();
        CallContext context = CallContext.withDeadline(Duration.ofMillis(800), ticker);
        assertThat(context.hasDeadline()).isTrue();
        ticker.advance(Duration.ofMillis(300));
        assertThat(context.remainingNanos()).isEqualTo(Duration.ofMillis(500).toNanos());
        assertThat(context.deadlineNanos(ticker)).isEqualTo(start + Duration.ofMillis(800).toNanos());
        assertThat(CallContext.none().hasDeadline()).isFalse();
        assertThat(CallContext.none().remainingNanos()).isEqualTo(Long.MAX_VALUE);
        assertThat(CallContext.none().deadlineNanos(ticker)).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void aDeadlineReadOnAnotherTickerIsConvertedNotTakenRaw() {
        FakeTicker own = new FakeTicker();
        own.advance(Duration.ofHours(5)); // two tickers whose readings have nothing in common
        FakeTicker other = new FakeTicker();
        CallContext context = CallContext.withDeadline(Duration.ofMillis(800), own);

        assertThat(context.deadlineNanos(other)).as("800 ms from now on the other ticker")
                .isEqualTo(other.read() + Duration.ofMillis(800).toNanos());
        own.advance(Duration.ofMillis(300));
        assertThat(context.deadlineNanos(other) - other.read()).isEqualTo(Duration.ofMillis(500).toNanos());
    }

    @Test
    void withDeadlineWithinKeepsTheSoonerDeadline() {
        FakeTicker ticker = new FakeTicker();
        CallContext tight = CallContext.withDeadline(Duration.ofMillis(100), ticker);
        assertThat(tight.withDeadlineWithin(Duration.ofSeconds(1), ticker)).isSameAs(tight);
        CallContext loose = CallContext.withDeadline(Duration.ofSeconds(10), ticker);
        assertThat(loose.withDeadlineWithin(Duration.ofSeconds(1), ticker).remainingNanos())
                .isEqualTo(Duration.ofSeconds(1).toNanos());
        assertThat(CallContext.none().withDeadlineWithin(Duration.ofSeconds(2), ticker).remainingNanos())
                .isEqualTo(Duration.ofSeconds(2).toNanos());
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
        FakeTicker ticker = new FakeTicker();
        CallContext both = withTenant.withDeadlineAt(42, ticker);
        assertThat(both.get(tenant)).isEqualTo("acme");
        assertThat(both.deadlineNanos(ticker)).isEqualTo(42);
    }
}
