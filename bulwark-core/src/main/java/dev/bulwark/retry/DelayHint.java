package dev.bulwark.retry;

/**
 * Reads a delay the server asked for (an HTTP Retry-After header, a gRPC retry pushback) from a
 * failed attempt's result or error. The retry waits at least that long, within its time budget.
 */
@FunctionalInterface
public interface DelayHint {

    /** The delay asked for in nanoseconds, or a negative number if the outcome asks none. */
    long delayNanos(Object result, Throwable error);
}
