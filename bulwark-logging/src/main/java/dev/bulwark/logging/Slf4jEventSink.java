package dev.bulwark.logging;

import dev.bulwark.internal.EventSink;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;
import org.slf4j.spi.LoggingEventBuilder;

/**
 * Logs Bulwark's events (policies updated or refused, registries lost and resumed, instances
 * added and removed, drain steps) through SLF4J: the topic is the logger, the pairs are key-values,
 * which Logback's JSON encoder writes as fields. Found by {@code ServiceLoader} when this module is
 * on the class path; nothing to call.
 */
public final class Slf4jEventSink implements EventSink {
    @Override
    public void log(String topic, System.Logger.Level level, String message, Object[] keyValues, Throwable error) {
        org.slf4j.Logger logger = LoggerFactory.getLogger(topic);
        Level slf4j = switch (level) {
            case ALL, TRACE -> Level.TRACE;
            case DEBUG -> Level.DEBUG;
            case INFO -> Level.INFO;
            case WARNING -> Level.WARN;
            case ERROR -> Level.ERROR;
            case OFF -> null;
        };
        if (slf4j == null || !logger.isEnabledForLevel(slf4j)) {
            return;
        }
        LoggingEventBuilder event = logger.atLevel(slf4j).setMessage(message);
        for (int i = 0; i + 1 < keyValues.length; i += 2) {
            event = event.addKeyValue(String.valueOf(keyValues[i]), keyValues[i + 1]);
        }
        if (error != null) {
            event = event.setCause(error);
        }
        event.log();
    }
}
