package dev.bulwark.bulkhead;

import dev.bulwark.internal.Check;
import java.time.Duration;

/**
 * The limits of a {@link Bulkhead}: how many calls may run at once, and how long a call may wait
 * for room (zero: it is rejected at once).
 */
public record BulkheadConfig(int maxConcurrent, Duration maxWait) {

    public BulkheadConfig {
        Check.between("maxConcurrent", maxConcurrent, 1, 1_000_000);
        Check.nonNegative("maxWait", maxWait);
    }

    /** {@code maxConcurrent} calls at once, no waiting. */
    public static BulkheadConfig of(int maxConcurrent) {
        return new BulkheadConfig(maxConcurrent, Duration.ZERO);
    }

    /** 25 calls at once, no waiting. */
    public static BulkheadConfig defaults() {
        return of(25);
    }
}
