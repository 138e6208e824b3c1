package dev.bulwark.grpc.internal;

import io.grpc.StatusRuntimeException;

/**
 * An attempt ended CANCELLED though its caller cancelled nothing: the server (shutting down at
 * once) or the connection ended it. Unlike a caller's cancellation it is judged as UNAVAILABLE
 * would be, so an idempotent call is retried elsewhere; its status stays CANCELLED for the caller.
 */
public final class RemoteCancellationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public RemoteCancellationException(StatusRuntimeException status) {
        super("cancelled by the server or the connection, not by the caller: " + status.getMessage(), status, false, false);
    }
}
