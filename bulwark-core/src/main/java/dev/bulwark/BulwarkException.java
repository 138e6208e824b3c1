package dev.bulwark;

/**
 * Root of Bulwark's unchecked exceptions.
 *
 * <p>{@link RejectedException} means the call was not run; {@link dev.bulwark.timeout.CallTimeoutException}
 * that it ran out of time; {@link dev.bulwark.retry.RetriesExhaustedException} that every attempt failed;
 * {@link CallFailedException} carries a checked exception thrown by user code.
 */
public class BulwarkException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public BulwarkException(String message) {
        super(message);
    }

    public BulwarkException(String message, Throwable cause) {
        super(message, cause);
    }

    protected BulwarkException(String message, Throwable cause, boolean writableStackTrace) {
        super(message, cause, true, writableStackTrace);
    }
}
