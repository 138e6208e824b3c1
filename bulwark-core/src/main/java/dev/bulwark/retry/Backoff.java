package dev.bulwark.retry;

import dev.bulwark.InvalidConfigException;
import dev.bulwark.internal.Check;
import java.time.Duration;
import java.util.function.IntFunction;

/**
 * The delay before each retry. Built-ins: none, fixed, linear, exponential with a cap, a random
 * range; each may be jittered ({@link #withJitter(Jitter)}, or ± a proportion with
 * {@link #withJitter(double)}). A backoff of your own is one method, or a function of the retry
 * number with {@link #of(IntFunction)}:
 * <pre>{@code
 * Backoff exponential = Backoff.exponential(Duration.ofMillis(100), 2.0, Duration.ofSeconds(5)).withJitter(Jitter.FULL);
 * Backoff steps = Backoff.of(retry -> Duration.ofMillis(retry <= 2 ? 50 : 500));
 * Backoff custom = (retry, previousNanos, random) -> 1_000_000L * retry;
 * }</pre>
 * Implementations are immutable and thread-safe; the built-ins allocate nothing per delay.
 */
@FunctionalInterface
public interface Backoff {

    /**
     * The delay before retry number {@code retry}, in nanoseconds (a negative answer counts as 0).
     *
     * @param retry 1 for the first retry, 2 for the second...
     * @param previousNanos the delay before the previous retry (0 before the first), for DECORRELATED
     * @param random a number in [0, 1), for jitter
     */
    long delayNanos(int retry, long previousNanos, double random);

    /**
     * A lower bound of every delay this backoff gives (0 if it cannot say). The retry builder
     * uses it to refuse a time budget too short for any retry to start.
     */
    default long minimumDelayNanos() {
        return 0;
    }

    /** An upper bound of every delay this backoff gives ({@link Long#MAX_VALUE} if it cannot say). */
    default long maxNanos() {
        return Long.MAX_VALUE;
    }

    /** Retries at once. */
    static Backoff none() {
        return Backoffs.NONE;
    }

    /** The same delay before every retry. */
    static Backoff fixed(Duration delay) {
        long nanos = Check.nanos(Check.nonNegative("backoff.delay", delay));
        return new Backoffs.Growing(nanos, 1.0, 0, nanos);
    }

    /** {@code initial × multiplier^(retry-1)}, at most {@code max}. */
    static Backoff exponential(Duration initial, double multiplier, Duration max) {
        long first = Check.nanos(Check.positive("backoff.initial", initial));
        Check.closed("backoff.multiplier", multiplier, 1.0, 100.0);
        long cap = Check.nanos(Check.positive("backoff.max", max));
        if (cap < first) {
            throw new InvalidConfigException("backoff.max", max, "a duration >= backoff.initial (" + initial + ")");
        }
        return new Backoffs.Growing(first, multiplier, 0, cap);
    }

    /** {@code initial + step × (retry-1)}, at most {@code max}. */
    static Backoff linear(Duration initial, Duration step, Duration max) {
        long first = Check.nanos(Check.nonNegative("backoff.initial", initial));
        long increment = Check.nanos(Check.positive("backoff.step", step));
        long cap = Check.nanos(Check.positive("backoff.max", max));
        if (cap < first) {
            throw new InvalidConfigException("backoff.max", max, "a duration >= backoff.initial (" + initial + ")");
        }
        return new Backoffs.Growing(first, 1.0, increment, cap);
    }

    /** A delay drawn uniformly from [{@code min}, {@code max}] before every retry. */
    static Backoff random(Duration min, Duration max) {
        long low = Check.nanos(Check.nonNegative("backoff.min", min));
        long high = Check.nanos(Check.positive("backoff.max", max));
        if (high < low) {
            throw new InvalidConfigException("backoff.max", max, "a duration >= backoff.min (" + min + ")");
        }
        return new Backoffs.Uniform(low, high);
    }

    /**
     * The delay {@code delayForRetry} gives for each retry number (1 for the first), as the
     * reference retry policies' {@code Delay(attempt)}. Returning {@code null} or a negative
     * duration fails the call with an {@link IllegalStateException} naming the retry.
     */
    static Backoff of(IntFunction<Duration> delayForRetry) {
        return new Backoffs.OfFunction(Check.notNull("delayForRetry", delayForRetry));
    }

    /** This backoff with its delays randomised by {@code kind}; replaces an earlier jitter. */
    default Backoff withJitter(Jitter kind) {
        Check.notNull("jitter", kind);
        Backoff base = this instanceof Backoffs.Jittered j ? j.base() : this;
        return kind == Jitter.NONE ? base : new Backoffs.Jittered(base, kind, 0);
    }

    /**
     * This backoff with each delay moved by up to ± {@code fraction} of itself, uniformly: 0.2
     * gives delays in [0.8 d, 1.2 d] (the reference's own jitter); replaces an earlier jitter.
     */
    default Backoff withJitter(double fraction) {
        Check.closed("jitter", fraction, 0, 1);
        Backoff base = this instanceof Backoffs.Jittered j ? j.base() : this;
        return fraction == 0 ? base : new Backoffs.Jittered(base, null, fraction);
    }
}
