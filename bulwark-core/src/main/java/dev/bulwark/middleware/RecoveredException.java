package dev.bulwark.middleware;

import dev.bulwark.BulwarkException;

/**
 * An unexpected exception (or error) thrown by user code inside a pool call, caught by the
 * {@linkplain Middlewares#recover() recover middleware} and turned into one typed error, so that a
 * bug in one call handler can neither kill a pool thread nor escape as an arbitrary type.
 */
public final class RecoveredException extends BulwarkException {
    private static final long serialVersionUID = 1L;

    private final String endpoint;

    public RecoveredException(String pool, String endpoint, Throwable cause) {
        super("unexpected " + cause.getClass().getName() + " in a call of pool '" + pool + "' to '" + endpoint + "': "
                + cause.getMessage(), cause);
        this.endpoint = endpoint;
    }

    /** The endpoint the failed call went to. */
    public String endpoint() {
        return endpoint;
    }
}
