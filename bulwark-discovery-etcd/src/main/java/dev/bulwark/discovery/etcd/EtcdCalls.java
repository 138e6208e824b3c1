package dev.bulwark.discovery.etcd;

import dev.bulwark.discovery.RegistryException;
import dev.bulwark.internal.Errors;
import io.etcd.jetcd.common.exception.ClosedClientException;
import io.etcd.jetcd.common.exception.EtcdException;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Waits for jetcd's futures, never longer than the configured timeout, and turns what went wrong
 * into a {@link RegistryException} that says which etcd, which operation and why: jetcd's own
 * calls have no deadline, and its errors are gRPC status codes.
 */
final class EtcdCalls {
    private final String where;
    private final Duration timeout;
    private volatile Runnable onUnavailable = () -> { };

    /** {@code where} names the servers in messages, e.g. {@code etcd at [http://10.0.0.1:2379]}. */
    EtcdCalls(String where, Duration timeout) {
        this.where = where;
        this.timeout = timeout;
    }

    /** Runs {@code hook} whenever a call finds etcd unavailable (unreachable, restarting). */
    void onUnavailable(Runnable hook) {
        this.onUnavailable = hook;
    }

    /** Tells the hook that etcd was found unavailable, if {@code error} says so. */
    void noteFailure(Throwable error) {
        if (code(error) == Status.Code.UNAVAILABLE) {
            onUnavailable.run();
        }
    }

    Duration timeout() {
        return timeout;
    }

    /** The future's value, waited for at most the timeout. {@code what} names the operation, e.g. {@code "list users"}. */
    <T> T await(CompletableFuture<T> future, String what) {
        try {
            return future.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            future.cancel(true);
            onUnavailable.run(); // no answer in time: perhaps reconnecting slowly
            throw new RegistryException(where + " did not answer " + what + " within " + timeout
                    + " (unreachable or overloaded?)", e);
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new RegistryException("interrupted waiting for " + where + " to " + what, e);
        } catch (ExecutionException | CompletionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            noteFailure(cause);
            throw failure(cause, what);
        } catch (CancellationException e) {
            throw new RegistryException(what + " on " + where + " was cancelled", e);
        }
    }

    /** {@code error}, from a call named {@code what}, as a RegistryException with a clear message. */
    RegistryException failure(Throwable error, String what) {
        Throwable cause = unwrap(error);
        if (cause instanceof RegistryException r) {
            return r;
        }
        if (cause instanceof ClosedClientException) {
            return new RegistryException("cannot " + what + ": the etcd registry is closed", cause);
        }
        Status.Code code = code(cause);
        if (code == null) {
            return new RegistryException(where + " failed on " + what + ": " + cause, cause);
        }
        return new RegistryException(where + " " + explain(code) + " on " + what + ": " + describe(cause), cause);
    }

    /**
     * The gRPC status code of a failed jetcd call, or null if it is no gRPC failure: jetcd reports
     * some failures as its own {@link EtcdException}, others (key-value calls) as gRPC's
     * {@link StatusRuntimeException}, wrapped or not.
     */
    static Status.Code code(Throwable error) {
        Throwable cause = unwrap(error);
        if (cause instanceof RegistryException && cause.getCause() != null) {
            cause = unwrap(cause.getCause());
        }
        if (cause instanceof EtcdException e) {
            return Status.Code.valueOf(e.getErrorCode().name()); // jetcd's ErrorCode mirrors gRPC's codes by name
        }
        Status status = Status.fromThrowable(cause);
        return status.getCode() == Status.Code.UNKNOWN && !(cause instanceof StatusRuntimeException) ? null : status.getCode();
    }

    /**
     * Whether {@code error} may pass by itself (etcd down, slow, restarting) rather than needing
     * someone to fix something (credentials, permissions, a bad request).
     */
    static boolean transientFailure(Throwable error) {
        Status.Code code = code(error);
        return code != Status.Code.UNAUTHENTICATED && code != Status.Code.PERMISSION_DENIED
                && code != Status.Code.INVALID_ARGUMENT && code != Status.Code.FAILED_PRECONDITION;
    }

    /** Whether {@code error} says the lease (or key) asked about does not exist. */
    static boolean notFound(Throwable error) {
        return code(error) == Status.Code.NOT_FOUND;
    }

    /** Whether {@code error} says the revision asked for was compacted (or is otherwise out of range). */
    static boolean outOfRange(Throwable error) {
        return code(error) == Status.Code.OUT_OF_RANGE;
    }

    private static Throwable unwrap(Throwable error) {
        return Errors.unwrap(error);
    }

    /** The server's words, and the lowest-level reason under them if there is one (connection refused, bad certificate...). */
    private static String describe(Throwable cause) {
        Status status = cause instanceof EtcdException ? null : Status.fromThrowable(cause);
        String words = firstLine(status == null ? cause.getMessage() : status.getDescription());
        Throwable root = Errors.root(cause.getCause() != null ? cause.getCause() : status == null ? null : status.getCause());
        String reason = root == null ? null : root.getClass().getSimpleName() + ": " + firstLine(root.getMessage());
        if (words == null) {
            return reason == null ? "no details" : reason;
        }
        return reason == null ? words : words + " (" + reason + ")";
    }

    /** gRPC appends its channel pipeline to TLS failures on further lines: messages stay on one. */
    private static String firstLine(String text) {
        int newline = text == null ? -1 : text.indexOf('\n');
        return newline < 0 ? text : text.substring(0, newline);
    }

    private static String explain(Status.Code code) {
        return switch (code) {
            case UNAVAILABLE -> "is unavailable";
            case DEADLINE_EXCEEDED -> "timed out";
            case UNAUTHENTICATED -> "refused the credentials (check username and password)";
            case PERMISSION_DENIED -> "denied permission (check the user's role on the key prefix)";
            case INVALID_ARGUMENT -> "rejected the request";
            case FAILED_PRECONDITION -> "refused the request (failed precondition)";
            case OUT_OF_RANGE -> "no longer has that revision (compacted)";
            case NOT_FOUND -> "does not know it (not found)";
            case RESOURCE_EXHAUSTED -> "is out of resources (quota or request size)";
            default -> "failed (" + code + ")";
        };
    }
}
