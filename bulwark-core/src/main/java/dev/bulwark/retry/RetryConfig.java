package dev.bulwark.retry;

import dev.bulwark.InvalidConfigException;
import dev.bulwark.internal.Check;
import java.time.Duration;
import java.util.Optional;

/**
 * The settings of a {@link Retry} that can change while it runs ({@link Retry#reconfigure}): how
 * many attempts, the backoff between them, and the time budget ({@code null}: none). The rest of
 * a retry (its classifier, conditions, budget, listeners) is code, and stays as built.
 */
public record RetryConfig(int maxAttempts, Backoff backoff, Duration maxDuration) {
    public RetryConfig {
        Check.between("maxAttempts", maxAttempts, 1, 1000);
        Check.notNull("backoff", backoff);
        if (maxDuration != null) {
            Check.positive("maxDuration", maxDuration);
            if (maxAttempts > 1 && backoff.minimumDelayNanos() >= Check.nanos(maxDuration)) {
                throw new InvalidConfigException("maxDuration", maxDuration, "longer than the backoff's shortest delay ("
                        + Duration.ofNanos(backoff.minimumDelayNanos()) + " from " + backoff
                        + "): no retry could ever start within it");
            }
        }
    }

    /** The time budget, if any. */
    public Optional<Duration> timeBudget() {
        return Optional.ofNullable(maxDuration);
    }

    /** Nanoseconds of the time budget; {@code Long.MAX_VALUE} for none. */
    long maxDurationNanos() {
        return maxDuration == null ? Long.MAX_VALUE : Check.nanos(maxDuration);
    }
}
