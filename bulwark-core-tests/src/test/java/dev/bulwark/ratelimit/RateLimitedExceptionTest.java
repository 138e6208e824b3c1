package dev.bulwark.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.RejectedException;
import org.junit.jupiter.api.Test;

class RateLimitedExceptionTest {

    @Test
    void messageNamesTheLimiterTheLimitAndTheRetryAfter() {
        RateLimitedException e = new RateLimitedException("search", "100.000/s, burst 20", 250_000_000L);

        assertThat(e.getMessage()).isEqualTo(
                "rate limiter 'search' rejected the call (limit 100.000/s, burst 20); next permit in PT0.25S");
        assertThat(e.policyName()).isEqualTo("search");
        assertThat(e.retryAfterNanos()).isEqualTo(250_000_000L);
        assertThat(e).isInstanceOf(RejectedException.class);
    }

    @Test
    void aNegativeRetryAfterIsReportedAsZero() {
        RateLimitedException e = new RateLimitedException("search", "1 per PT1S", -5);

        assertThat(e.retryAfterNanos()).isZero();
        assertThat(e.getMessage()).endsWith("next permit in PT0S");
    }

    @Test
    void carriesNoStackTrace() {
        assertThat(new RateLimitedException("search", "x", 0).getStackTrace()).isEmpty();
    }
}
