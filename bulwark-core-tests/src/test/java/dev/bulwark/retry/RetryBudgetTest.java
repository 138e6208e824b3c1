package dev.bulwark.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.RejectedException;
import dev.bulwark.testing.VirtualScheduler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RetryBudgetTest {
    private final VirtualScheduler scheduler = new VirtualScheduler();

    @Test
    void retriesAreCappedAtAShareOfCallsPlusAReserve() {
        RetryBudget budget = RetryBudget.builder().ratio(0.1).minRetriesPerSecond(0.2)
                .ttl(Duration.ofSeconds(10)).ticker(scheduler.ticker()).build();
        // reserve = 0.2/s × 10 s = 2 retries; 50 calls deposit 5 more
        for (int i = 0; i < 50; i++) {
            budget.recordCall();
        }
        int granted = 0;
        while (budget.tryAcquireRetry()) {
            granted++;
        }
        assertThat(granted).isEqualTo(7);
        assertThat(budget.available()).isZero();
    }

    @Test
    void creditExpiresWithTheWindow() {
        RetryBudget budget = RetryBudget.builder().ratio(1).minRetriesPerSecond(0)
                .ttl(Duration.ofSeconds(10)).ticker(scheduler.ticker()).build();
        for (int i = 0; i < 20; i++) {
            budget.recordCall();
        }
        assertThat(budget.available()).isEqualTo(20);
        scheduler.advance(Duration.ofSeconds(11));
        assertThat(budget.available()).as("an idle period banks nothing").isZero();
        assertThat(budget.tryAcquireRetry()).isFalse();
    }

    @Test
    void anExhaustedBudgetStopsRetriesWithARejection() {
        RetryBudget budget = RetryBudget.builder().ratio(0).minRetriesPerSecond(0.1)
                .ttl(Duration.ofSeconds(10)).ticker(scheduler.ticker()).build(); // exactly one retry in reserve
        Retry retry = Retry.builder("inventory").maxAttempts(5).backoff(Backoff.none()).budget(budget)
                .scheduler(scheduler).build();
        AtomicInteger calls = new AtomicInteger();
        assertThatThrownBy(() -> retry.call(() -> {
            calls.incrementAndGet();
            throw new UncheckedIOException(new IOException("down"));
        })).isInstanceOfSatisfying(RetryBudgetExhaustedException.class, e -> {
            assertThat(e).isInstanceOf(RejectedException.class);
            assertThat(e.policyName()).isEqualTo("inventory");
            assertThat(e.getCause()).isInstanceOf(UncheckedIOException.class);
        }).hasMessageContaining("retry budget exhausted");
        assertThat(calls).as("first attempt plus the single retry the budget allowed").hasValue(2);
    }
}
