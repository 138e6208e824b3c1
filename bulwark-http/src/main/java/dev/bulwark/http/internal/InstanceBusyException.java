package dev.bulwark.http.internal;

/**
 * The instance picked for an attempt already carries its bulkhead's share of calls: the attempt
 * never left, and a retry takes it to another instance. Not a failure of the instance.
 */
public final class InstanceBusyException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public InstanceBusyException(String instance, int maxConcurrent) {
        super("instance " + instance + " already carries " + maxConcurrent + " calls", null, false, false);
    }
}
