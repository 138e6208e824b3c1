package dev.bulwark.internal;

/**
 * Where {@link Events} go: a logging binding ({@code bulwark-logging}) provides one through
 * {@link java.util.ServiceLoader} to log them with their key-value pairs as fields.
 */
public interface EventSink {
    /**
     * Logs one event under {@code topic} (a logger name): {@code keyValues} alternate keys
     * (strings) and values; {@code error} may be null.
     */
    void log(String topic, System.Logger.Level level, String message, Object[] keyValues, Throwable error);
}
