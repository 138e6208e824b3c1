package dev.bulwark.http.internal;

import java.io.IOException;

/** A response body passed the client's size limit; reading stopped there. */
public final class ResponseTooLargeException extends IOException {
    private static final long serialVersionUID = 1L;

    public ResponseTooLargeException(long limit) {
        super("the response body passed the limit of " + limit + " bytes (maxResponseBytes)");
    }
}
