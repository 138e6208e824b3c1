package dev.bulwark.discovery;

import dev.bulwark.BulwarkException;

/** The registry could not do what was asked: unreachable, timed out, refused, or the instance is unknown. */
public class RegistryException extends BulwarkException {
    private static final long serialVersionUID = 1L;

    public RegistryException(String message) {
        super(message);
    }

    public RegistryException(String message, Throwable cause) {
        super(message, cause);
    }
}
