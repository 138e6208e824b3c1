package dev.bulwark.call;

import dev.bulwark.RejectedException;
import java.util.List;

/**
 * A pool had no endpoint to call: it is empty, or every endpoint's breaker is open. Names every
 * endpoint and its state, so the log line says what happened.
 */
public final class NoEndpointAvailableException extends RejectedException {
    private static final long serialVersionUID = 1L;

    private final List<String> endpoints;

    NoEndpointAvailableException(String pool, List<String> endpointStates) {
        super(pool, null);
        this.endpoints = List.copyOf(endpointStates);
    }

    @Override
    public String getMessage() {
        return endpoints.isEmpty()
                ? "pool '" + policyName() + "' has no endpoints"
                : "pool '" + policyName() + "' has no endpoint available: " + String.join(", ", endpoints);
    }

    /** Each endpoint as {@code name (STATE)}, empty if the pool had none. */
    public List<String> endpoints() {
        return endpoints;
    }
}
