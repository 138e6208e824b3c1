package dev.bulwark.grpc.internal;

import dev.bulwark.Permanent;
import io.grpc.StatusRuntimeException;

/**
 * A call failed after replies had reached the caller (a stream's first message): it cannot be
 * retried, since the caller has seen part of an answer. Carries the status as its cause; the gRPC
 * classifier judges it permanent when the status would otherwise be retried, and it is marked
 * {@link Permanent} for classifiers that do not know it.
 */
public final class CommittedCallException extends RuntimeException implements Permanent {
    private static final long serialVersionUID = 1L;

    public CommittedCallException(StatusRuntimeException status) {
        super("failed after replies reached the caller: " + status.getMessage(), status, false, false);
    }
}
