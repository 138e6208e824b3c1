package dev.bulwark;

/**
 * The call was not run: a breaker is open, a rate limit or a bulkhead is full, a retry budget is spent.
 *
 * <p>Rejections are the common case under overload, so they carry no stack trace (filling one in
 * costs microseconds and says nothing: the policy is named in the message). Each names the policy
 * ({@link #policyName()}), the rule that fired and the value observed.
 */
public abstract class RejectedException extends BulwarkException {
    private static final long serialVersionUID = 1L;

    private final String policyName;

    protected RejectedException(String policyName, String message) {
        this(policyName, message, null);
    }

    /** A rejection caused by {@code cause}, e.g. the error a skipped retry would have answered. */
    protected RejectedException(String policyName, String message, Throwable cause) {
        super(message, cause, false);
        this.policyName = policyName;
    }

    /** The name of the policy instance that rejected the call. */
    public String policyName() {
        return policyName;
    }

    /**
     * How long the caller should wait before trying again, in nanoseconds, or {@code -1} if unknown.
     * A rate limiter knows when its next permit is due; a breaker knows when it will next probe.
     */
    public long retryAfterNanos() {
        return -1;
    }
}
