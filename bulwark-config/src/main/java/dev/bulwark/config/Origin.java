package dev.bulwark.config;

/**
 * Where a configuration value came from: Bulwark's default, a line and column of a YAML file, an
 * environment variable, or a key of a config center at a revision. Shown in errors and in the
 * effective configuration.
 */
public record Origin(Kind kind, String source, int line, int column) {
    /** The kinds of origin, in increasing precedence for the file and environment. */
    public enum Kind {
        DEFAULT, FILE, ENVIRONMENT, CONFIG_CENTER
    }

    /** Bulwark's own default. */
    public static final Origin DEFAULT = new Origin(Kind.DEFAULT, "default", 0, 0);

    /** Line and column of {@code file}, both counted from 1. */
    public static Origin file(String file, int line, int column) {
        return new Origin(Kind.FILE, file, line, column);
    }

    /** The environment variable {@code name}. */
    public static Origin environment(String name) {
        return new Origin(Kind.ENVIRONMENT, name, 0, 0);
    }

    /** Key {@code key} of a config center, at {@code revision}. */
    public static Origin configCenter(String key, long revision) {
        return new Origin(Kind.CONFIG_CENTER, key, (int) Math.min(Integer.MAX_VALUE, revision), 0);
    }

    @Override
    public String toString() {
        return switch (kind) {
            case DEFAULT -> "default";
            case FILE -> source + " line " + line + ", col " + column;
            case ENVIRONMENT -> "env " + source;
            case CONFIG_CENTER -> source + " revision " + line;
        };
    }
}
