package dev.bulwark.discovery.nacos;

/**
 * A Nacos instance carries Bulwark metadata that does not make a valid {@link
 * dev.bulwark.discovery.ServiceInstance}: a {@code bulwark.*} value that does not parse, or one the
 * instance builder refuses. Never leaves the registry: the instance is skipped and counted
 * ({@link NacosRegistry#corruptEntries()}).
 */
final class CorruptInstanceException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    CorruptInstanceException(String message) {
        super(message, null, false, false);
    }

    CorruptInstanceException(String message, Throwable cause) {
        super(message + ": " + cause.getMessage(), cause, false, false);
    }
}
