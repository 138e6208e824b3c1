package dev.bulwark.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.encoder.Encoder;
import ch.qos.logback.core.rolling.RollingFileAppender;
import ch.qos.logback.core.rolling.SizeAndTimeBasedRollingPolicy;
import ch.qos.logback.core.util.FileSize;
import dev.bulwark.config.BulwarkConfig;
import dev.bulwark.internal.Check;
import java.util.Locale;
import org.slf4j.LoggerFactory;

/**
 * A ready Logback setup for a Bulwark application, from its configuration's {@code logging}
 * section: JSON lines (Logback's own JSON encoder: level, logger, message and the events'
 * key-value pairs as fields) or plain text, on the console and, with {@code logging.file}, in a
 * file rotated by day and by {@code max-file-size}, compressed, kept {@code max-history} days
 * and {@code total-size-cap} in all; Bulwark's loggers at {@code logging.level}, and any logger at
 * its level under {@code logging.levels}.
 *
 * <pre>{@code
 * LogbackSetup.apply(config);              // replaces Logback's current setup
 * EventLog.breakers(config.breakers());
 * }</pre>
 *
 * Needs logback-classic as the application's SLF4J backend.
 */
public final class LogbackSetup {
    private LogbackSetup() {
    }

    /** Replaces Logback's setup by the one {@code config} describes. */
    public static void apply(BulwarkConfig config) {
        Check.notNull("config", config);
        if (!(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            throw new IllegalStateException("LogbackSetup needs Logback as the SLF4J backend; found "
                    + LoggerFactory.getILoggerFactory().getClass().getName());
        }
        boolean json = config.value("logging.format").map("json"::equals).orElse(true);
        context.reset();
        Logger root = context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.INFO);

        ConsoleAppender<ILoggingEvent> console = new ConsoleAppender<>();
        console.setContext(context);
        console.setName("console");
        console.setEncoder(encoder(context, json));
        console.start();
        root.addAppender(console);

        config.value("logging.file").map(String::valueOf).ifPresent(file -> root.addAppender(rollingFile(context, config, file, json)));

        context.getLogger("dev.bulwark").setLevel(level(config.value("logging.level").map(String::valueOf).orElse("info")));
        config.namedValues("logging.levels").forEach((logger, level) -> context.getLogger(logger).setLevel(level(String.valueOf(level))));
    }

    private static RollingFileAppender<ILoggingEvent> rollingFile(LoggerContext context, BulwarkConfig config, String file,
            boolean json) {
        RollingFileAppender<ILoggingEvent> appender = new RollingFileAppender<>();
        appender.setContext(context);
        appender.setName("file");
        appender.setFile(file);
        SizeAndTimeBasedRollingPolicy<ILoggingEvent> policy = new SizeAndTimeBasedRollingPolicy<>();
        policy.setContext(context);
        policy.setParent(appender);
        policy.setFileNamePattern(file + ".%d{yyyy-MM-dd}.%i.gz");
        policy.setMaxFileSize(new FileSize((Long) config.value("logging.max-file-size").orElseThrow()));
        policy.setMaxHistory((Integer) config.value("logging.max-history").orElseThrow());
        policy.setTotalSizeCap(new FileSize((Long) config.value("logging.total-size-cap").orElseThrow()));
        policy.start();
        appender.setRollingPolicy(policy);
        appender.setEncoder(encoder(context, json));
        appender.start();
        return appender;
    }

    private static Encoder<ILoggingEvent> encoder(LoggerContext context, boolean json) {
        if (json) {
            JsonEncoder encoder = new JsonEncoder();
            encoder.setContext(context);
            encoder.setWithFormattedMessage(true);
            encoder.setWithMessage(false);
            encoder.setWithArguments(false);
            encoder.setWithSequenceNumber(false);
            encoder.setWithNanoseconds(false);
            encoder.setWithContext(false);
            encoder.start();
            return encoder;
        }
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%d{ISO8601} %-5level [%thread] %logger{36} - %msg %kvp%n%ex");
        encoder.start();
        return encoder;
    }

    private static Level level(String name) {
        return Level.toLevel(name.toUpperCase(Locale.ROOT), Level.INFO);
    }
}
