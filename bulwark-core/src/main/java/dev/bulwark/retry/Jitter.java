package dev.bulwark.retry;

/**
 * How a backoff delay is randomised, so that clients failing together do not retry together.
 * The names follow the usual analysis of exponential backoff with jitter: for a computed delay
 * {@code d}, FULL draws from [0, d), EQUAL from [d/2, d), DECORRELATED from [base, 3 × previous)
 * capped at the maximum. For ± a proportion of the delay, see {@link Backoff#withJitter(double)}.
 */
public enum Jitter {
    /** The computed delay, as is. */
    NONE,
    /** Uniform in [0, d). Spreads retries the most. */
    FULL,
    /** Uniform in [d/2, d). Keeps a floor under the delay. */
    EQUAL,
    /** Uniform in [base, 3 × previous delay), capped: each delay grows from the one before. */
    DECORRELATED
}
