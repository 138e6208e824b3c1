package dev.bulwark.http.internal;

import dev.bulwark.Permanent;

/**
 * An attempt of a request that is not safe to repeat failed after it may have reached a server:
 * it must not be sent again. Wraps the failure, which is what the caller finally sees.
 */
public final class NotRetriedException extends RuntimeException implements Permanent {
    private static final long serialVersionUID = 1L;

    public NotRetriedException(Throwable cause) {
        super("not safe to send again: " + cause.getMessage(), cause, false, false);
    }
}
