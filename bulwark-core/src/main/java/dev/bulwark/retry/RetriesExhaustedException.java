package dev.bulwark.retry;

import dev.bulwark.BulwarkException;

/**
 * Every attempt allowed failed. The cause is the last attempt's error; the earlier attempts'
 * errors are attached as {@linkplain #getSuppressed() suppressed}, oldest first.
 */
public final class RetriesExhaustedException extends BulwarkException {
    private static final long serialVersionUID = 1L;

    private final String retryName;
    private final int attempts;

    RetriesExhaustedException(String retryName, int attempts, String why, Throwable last) {
        super("retry '" + retryName + "' gave up after " + attempts + " attempt" + (attempts == 1 ? "" : "s")
                + " (" + why + "); last error: " + last, last);
        this.retryName = retryName;
        this.attempts = attempts;
    }

    public String retryName() {
        return retryName;
    }

    /** How many attempts ran. */
    public int attempts() {
        return attempts;
    }
}
