package dev.bulwark;

/** Wraps an error to say that retrying cannot help; see {@link Permanent}. */
public final class PermanentException extends BulwarkException implements Permanent {
    private static final long serialVersionUID = 1L;

    public PermanentException(Throwable cause) {
        super("permanent failure: " + cause, cause);
    }

    public PermanentException(String message) {
        super(message);
    }

    /** Whether {@code error} or any of its causes is marked {@link Permanent}. */
    public static boolean isPermanent(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof Permanent) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }
}
