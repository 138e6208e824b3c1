package dev.bulwark;

/**
 * Carries a checked exception thrown by a user's {@link java.util.concurrent.Callable} out of
 * Bulwark's unchecked API. Unchecked exceptions and errors from user code are never wrapped.
 */
public final class CallFailedException extends BulwarkException {
    private static final long serialVersionUID = 1L;

    public CallFailedException(Throwable cause) {
        super("call failed: " + cause, cause);
    }

    /** Rethrows {@code error} as is when unchecked, else wrapped in a {@code CallFailedException}. */
    public static RuntimeException propagate(Throwable error) {
        if (error instanceof RuntimeException runtime) {
            throw runtime;
        }
        if (error instanceof Error fatal) {
            throw fatal;
        }
        throw new CallFailedException(error);
    }
}
