package dev.bulwark.retry;

import dev.bulwark.RejectedException;

/**
 * A retry was not run because the shared {@link RetryBudget} is spent: retries already make up
 * the allowed share of recent calls. The cause is the error the retry would have answered.
 */
public final class RetryBudgetExhaustedException extends RejectedException {
    private static final long serialVersionUID = 1L;

    RetryBudgetExhaustedException(String retryName, String budgetState, Throwable last) {
        super(retryName, "retry '" + retryName + "' skipped: retry budget exhausted (" + budgetState + "); last error: " + last,
                last);
    }
}
