package dev.bulwark.discovery.consul;

/**
 * A service in Consul's answer is no valid instance. Either it carries Bulwark's meta and a field
 * does not parse or the instance builder refuses a value ({@link #foreign()} false: corrupt,
 * counted by {@link ConsulRegistry#corruptEntries()}), or it was registered by another tool with
 * something Bulwark cannot hold, such as port 0 or an id with spaces ({@code foreign()} true).
 * Never leaves the registry: the entry is skipped wherever it is read.
 */
final class CorruptEntryException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final boolean foreign;

    CorruptEntryException(String message) {
        super(message, null, false, false);
        this.foreign = false;
    }

    CorruptEntryException(String message, Throwable cause, boolean foreign) {
        super(message + ": " + cause.getMessage(), cause, false, false);
        this.foreign = foreign;
    }

    /** Registered without Bulwark's meta, by another tool: not corrupt, only not representable. */
    boolean foreign() {
        return foreign;
    }
}
