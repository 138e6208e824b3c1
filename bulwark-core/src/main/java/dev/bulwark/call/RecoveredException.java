package dev.bulwark.call;

import dev.bulwark.BulwarkException;

/**
 * An unexpected exception (or error) thrown by user code inside a protected call, caught by the
 * {@linkplain Stages#recover() recover stage} and turned into one typed error, so that a bug in one
 * call handler can neither kill a pool thread nor escape as an arbitrary type.
 */
public final class RecoveredException extends BulwarkException {
    private static final long serialVersionUID = 1L;

    private final String endpoint;

    public RecoveredException(String chain, String endpoint, Throwable cause) {
        super("unexpected " + cause.getClass().getName() + " in a call of '" + chain + "'"
                + (endpoint.isEmpty() ? "" : " to '" + endpoint + "'") + ": " + cause.getMessage(), cause);
        this.endpoint = endpoint;
    }

    /** The endpoint the failed call went to; empty if none was chosen. */
    public String endpoint() {
        return endpoint;
    }
}
