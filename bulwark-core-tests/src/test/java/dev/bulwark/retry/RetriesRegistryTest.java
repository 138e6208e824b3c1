package dev.bulwark.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.InvalidConfigException;
import dev.bulwark.call.ClientPool;
import dev.bulwark.registry.PolicyRegistry;
import dev.bulwark.testing.VirtualScheduler;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Named retries whose attempts and backoff change live, reaching the pools that hold them. */
class RetriesRegistryTest {
    private final VirtualScheduler scheduler = new VirtualScheduler();

    @Test
    void aLiveChangeReachesThePoolHoldingTheRetry() {
        PolicyRegistry<Retry, RetryConfig> retries = Retries.registry(new RetryConfig(2, Backoff.none(), null), scheduler);
        Retry inventory = retries.get("inventory");
        ClientPool<String> pool = ClientPool.<String>builder("inventory").retry(inventory).build();
        pool.add("a", "a");
        pool.add("b", "b");
        pool.add("c", "c");
        pool.add("d", "d");
        AtomicInteger attempts = new AtomicInteger();

        assertThatThrownBy(() -> pool.call((client, endpoint, context) -> {
            attempts.incrementAndGet();
            throw new IOException("down");
        })).isNotNull();
        assertThat(attempts).hasValue(2);

        retries.apply("inventory", new RetryConfig(4, Backoff.none(), null));
        attempts.set(0);
        assertThatThrownBy(() -> pool.call((client, endpoint, context) -> {
            attempts.incrementAndGet();
            throw new IOException("down");
        })).isInstanceOf(RetriesExhaustedException.class).hasMessageContaining("max attempts 4");
        assertThat(attempts).hasValue(4);
        assertThat(inventory.config().maxAttempts()).isEqualTo(4);
    }

    @Test
    void changesThatCanNeverWorkAreRefusedAndChangeNothing() {
        assertThatThrownBy(() -> new RetryConfig(3, Backoff.fixed(Duration.ofSeconds(2)), Duration.ofSeconds(1)))
                .isInstanceOf(InvalidConfigException.class).hasMessageContaining("maxDuration");
        Retry budgeted = Retry.builder("b").maxAttempts(1)
                .budget(RetryBudget.builder().ratio(0).minRetriesPerSecond(0).build()).scheduler(scheduler).build();
        assertThatThrownBy(() -> budgeted.reconfigure(new RetryConfig(3, Backoff.none(), null)))
                .isInstanceOf(InvalidConfigException.class).hasMessageContaining("budget");
        assertThat(budgeted.maxAttempts()).isEqualTo(1);
    }
}
