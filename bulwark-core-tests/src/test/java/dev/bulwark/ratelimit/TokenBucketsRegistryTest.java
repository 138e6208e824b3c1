package dev.bulwark.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.InvalidConfigException;
import dev.bulwark.registry.PolicyRegistry;
import dev.bulwark.testing.VirtualScheduler;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Named token buckets whose rate changes live, keeping the permits on hand; bad configs refused. */
class TokenBucketsRegistryTest {
    private final VirtualScheduler scheduler = new VirtualScheduler();

    @Test
    void aLiveRateChangeKeepsTheBucketAndItsPermits() {
        PolicyRegistry<TokenBucket, TokenBucketConfig> limiters = TokenBuckets.registry(new TokenBucketConfig(10, 5), scheduler);
        TokenBucket search = limiters.get("search");
        assertThat(search.tryAcquire(3)).isTrue();
        assertThat(search.availablePermits()).isEqualTo(2);

        TokenBucket same = limiters.apply("search", new TokenBucketConfig(100, 50));

        assertThat(same).isSameAs(search);
        assertThat(search.permitsPerSecond()).isEqualTo(100.0);
        assertThat(search.burst()).isEqualTo(50);
        assertThat(search.availablePermits()).as("no fresh burst from a change").isEqualTo(2);
        scheduler.advance(Duration.ofMillis(100));
        assertThat(search.availablePermits()).isEqualTo(12);
        assertThat(limiters.get("other").permitsPerSecond()).isEqualTo(10.0);
    }

    @Test
    void anImpossibleConfigIsRefusedNamingTheField() {
        assertThatThrownBy(() -> new TokenBucketConfig(0, 5)).isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("permitsPerSecond");
        assertThatThrownBy(() -> new TokenBucketConfig(5, 0)).isInstanceOf(InvalidConfigException.class)
                .hasMessageContaining("burst");
        assertThat(TokenBucketConfig.of(5).burst()).isEqualTo(1);
    }
}
