package dev.bulwark.internal;

import java.util.ServiceLoader;

/**
 * Bulwark's events (a policy updated or refused, a registry connection lost or resumed, an
 * instance added or removed, a drain step) as structured records: a topic, which is the logger
 * name ({@code dev.bulwark.events.policy}, {@code .registry}, {@code .discovery},
 * {@code .server}), a level, a fixed message, and key-value pairs. The first {@link EventSink}
 * {@code ServiceLoader} finds takes them ({@code bulwark-logging}'s logs them through SLF4J with
 * the pairs as key-values, so a JSON encoder writes them as fields); without one they go through
 * {@code System.Logger} as {@code message key=value key=value}.
 */
public final class Events {
    public static final String POLICY = "dev.bulwark.events.policy";
    public static final String REGISTRY = "dev.bulwark.events.registry";
    public static final String DISCOVERY = "dev.bulwark.events.discovery";
    public static final String SERVER = "dev.bulwark.events.server";

    private static final EventSink SINK = sink();

    private Events() {
    }

    public static void info(String topic, String message, Object... keyValues) {
        log(topic, System.Logger.Level.INFO, message, null, keyValues);
    }

    public static void warn(String topic, String message, Object... keyValues) {
        log(topic, System.Logger.Level.WARNING, message, null, keyValues);
    }

    /**
     * Logs through the sink. An event must never break what it reports on (a cache update, a
     * drain), so whatever a sink throws is dropped, linkage errors included (a binding built for
     * SLF4J 2 meeting an SLF4J 1.7 API): only the JVM's own errors go on.
     */
    public static void log(String topic, System.Logger.Level level, String message, Throwable error, Object... keyValues) {
        try {
            SINK.log(topic, level, message, keyValues, error);
        } catch (VirtualMachineError fatal) {
            throw fatal;
        } catch (Throwable ignored) {
            // a logging failure is not the caller's
        }
    }

    /** The first sink {@code ServiceLoader} finds and can load; {@code System.Logger} otherwise. */
    private static EventSink sink() {
        try {
            for (EventSink found : ServiceLoader.load(EventSink.class, Events.class.getClassLoader())) {
                return found;
            }
        } catch (java.util.ServiceConfigurationError | LinkageError broken) {
            System.getLogger(Events.class.getName()).log(System.Logger.Level.WARNING,
                    "Bulwark's event sink could not be loaded; events go through System.Logger: " + broken);
        }
        return new SystemLoggerSink();
    }

    /** {@code message key=value key=value}, through {@code System.Logger}. */
    static String text(String message, Object[] keyValues) {
        StringBuilder line = new StringBuilder(message);
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            line.append(' ').append(keyValues[i]).append('=').append(keyValues[i + 1]);
        }
        return line.toString();
    }

    private static final class SystemLoggerSink implements EventSink {
        @Override
        public void log(String topic, System.Logger.Level level, String message, Object[] keyValues, Throwable error) {
            System.Logger logger = System.getLogger(topic);
            if (logger.isLoggable(level)) {
                if (error == null) {
                    logger.log(level, text(message, keyValues));
                } else {
                    logger.log(level, text(message, keyValues), error);
                }
            }
        }
    }
}
