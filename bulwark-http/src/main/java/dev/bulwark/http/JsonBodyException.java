package dev.bulwark.http;

import dev.bulwark.BulwarkException;

/** A body could not be written as JSON, or an answer could not be read as the type asked for. */
public final class JsonBodyException extends BulwarkException {
    private static final long serialVersionUID = 1L;

    JsonBodyException(String message, Throwable cause) {
        super(message, cause);
    }
}
