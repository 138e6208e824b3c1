package dev.bulwark.retry;

import dev.bulwark.internal.Check;
import dev.bulwark.internal.TimeBuckets;
import dev.bulwark.time.Ticker;
import java.time.Duration;
import java.util.Locale;

/**
 * Caps retries, across every call sharing the budget, at a share of recent calls plus a small
 * steady allowance, so that retries cannot multiply load on a struggling service (a retry storm).
 *
 * <p>Each call deposits credit; each retry withdraws one. Within the last {@code ttl}, retries may
 * number at most {@code ratio × calls + minRetriesPerSecond × ttl-seconds}. Credit expires with
 * the window, so an idle period does not bank a burst of retries. Lock-free; under contention two
 * racing withdrawals can each see the last unit of credit, so the cap may be passed by at most the
 * number of threads racing, never more.
 *
 * <pre>{@code
 * RetryBudget budget = RetryBudget.builder().ratio(0.2).minRetriesPerSecond(10).ttl(Duration.ofSeconds(10)).build();
 * }</pre>
 */
public final class RetryBudget {
    private static final int CALLS = 0;
    private static final int RETRIES = 1;
    private static final int BUCKETS = 10;

    private final double ratio;
    private final double reserve;
    private final Ticker ticker;
    private final TimeBuckets window;

    private RetryBudget(Builder b) {
        this.ratio = b.ratio;
        this.ticker = b.ticker;
        long ttl = Check.nanos(b.ttl);
        this.reserve = b.minRetriesPerSecond * (ttl / 1e9);
        this.window = new TimeBuckets(BUCKETS, ttl / BUCKETS, 2, ticker.read());
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Whether this budget can never allow a retry: no ratio and no steady allowance. */
    boolean neverAllows() {
        return ratio == 0 && reserve == 0;
    }

    /** Deposits the credit of one call (its first attempt). */
    public void recordCall() {
        window.add(ticker.read(), CALLS, 1);
    }

    /** Withdraws one retry if the budget allows it. */
    public boolean tryAcquireRetry() {
        long now = ticker.read();
        long calls = window.sum(now, CALLS);
        long retries = window.sum(now, RETRIES);
        if (retries + 1 > ratio * calls + reserve) {
            return false;
        }
        window.add(now, RETRIES, 1);
        return true;
    }

    /** Retries the budget would still allow now. */
    public long available() {
        long now = ticker.read();
        return Math.max(0, (long) Math.floor(ratio * window.sum(now, CALLS) + reserve) - window.sum(now, RETRIES));
    }

    @Override
    public String toString() {
        long now = ticker.read();
        return String.format(Locale.ROOT, "%d retries / %d calls in window, ratio %.2f, reserve %.1f",
                window.sum(now, RETRIES), window.sum(now, CALLS), ratio, reserve);
    }

    /** Builds a {@link RetryBudget}. */
    public static final class Builder {
        private double ratio = 0.2;
        private double minRetriesPerSecond = 10;
        private Duration ttl = Duration.ofSeconds(10);
        private Ticker ticker = Ticker.system();

        private Builder() {
        }

        /** Retries allowed per call deposited, in [0, 1000] (default 0.2: one retry per five calls). */
        public Builder ratio(double retriesPerCall) {
            ratio = Check.closed("ratio", retriesPerCall, 0, 1000);
            return this;
        }

        /** Retries allowed per second whatever the traffic, so that rare calls can still retry (default 10). */
        public Builder minRetriesPerSecond(double perSecond) {
            minRetriesPerSecond = Check.closed("minRetriesPerSecond", perSecond, 0, 1e9);
            return this;
        }

        /** How long deposited credit lasts (default 10 s). */
        public Builder ttl(Duration duration) {
            ttl = Check.positive("ttl", duration);
            if (Check.nanos(duration) < BUCKETS) {
                throw new dev.bulwark.InvalidConfigException("ttl", duration, "a duration >= 10ns");
            }
            return this;
        }

        public Builder ticker(Ticker source) {
            ticker = Check.notNull("ticker", source);
            return this;
        }

        public RetryBudget build() {
            return new RetryBudget(this);
        }
    }
}
