package dev.bulwark.discovery.etcd;

/**
 * A value under an instance key is not an instance: not JSON, a missing or mistyped field, a
 * value the instance builder refuses, or a service or id that disagrees with its key. Never
 * leaves the registry: the value is skipped and counted ({@link EtcdRegistry#corruptEntries()}).
 */
final class CorruptValueException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    CorruptValueException(String message) {
        super(message, null, false, false);
    }

    /** The reason is the message of {@code cause}, which says what was wrong. */
    CorruptValueException(String message, Throwable cause) {
        super(message, cause, false, false);
    }
}
