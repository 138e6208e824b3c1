package dev.bulwark.bulkhead;

import dev.bulwark.RejectedException;

/** A bulkhead or worker pool had no room for the call. Names it, its limit and how long the call waited. */
public final class BulkheadFullException extends RejectedException {
    private static final long serialVersionUID = 1L;

    public BulkheadFullException(String name, String limit, long waitedNanos) {
        super(name, "bulkhead '" + name + "' is full (" + limit + ")"
                + (waitedNanos > 0 ? "; waited " + java.time.Duration.ofNanos(waitedNanos) : ""));
    }
}
