package dev.bulwark.http;

import dev.bulwark.BulwarkException;

/**
 * No instance of a service could take a call, and why: none registered, none serving (all
 * unhealthy or draining), or every serving one refused (breakers open, bulkheads full).
 */
public final class NoInstanceException extends BulwarkException {
    private static final long serialVersionUID = 1L;

    private final String service;

    NoInstanceException(String service, String why, Throwable cause) {
        super("no instance of " + service + " can take the call: " + why, cause);
        this.service = service;
    }

    public String service() {
        return service;
    }
}
